// capi.sha256_hex(text): lowercase hex SHA-256 of the text's UTF-8 bytes.
#include "core/sha256.hpp"

#include "pg/guard.hpp"
#include "pg/text.hpp"

CAPI_PG_FUNCTION(capi_sha256_hex) {
	const text *input = PG_GETARG_TEXT_PP(0);
	char hex[capi::kSha256HexLength];
	capi::Sha256Hex(capi::pg::TextView(input), hex); // may throw; no PostgreSQL call inside
	PG_RETURN_TEXT_P(capi::pg::MakeText(std::string_view(hex, sizeof hex)));
}
