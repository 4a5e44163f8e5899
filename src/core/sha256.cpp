#include "core/sha256.hpp"

#include <openssl/evp.h>

#include "core/error.hpp"

namespace capi {
namespace {

// Fetched once per process: implicit fetching inside EVP_DigestInit costs more than hashing 32 bytes.
// Raw pointers on purpose: no global C++ object with a destructor lives in a PostgreSQL backend.
const EVP_MD *Sha256Algorithm() {
	static const EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
	return md;
}

EVP_MD_CTX *ThreadContext() {
	static thread_local EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	return ctx;
}

constexpr char kHexDigits[] = "0123456789abcdef";

} // namespace

void Sha256Hex(std::string_view input, char *out) {
	const EVP_MD *md = Sha256Algorithm();
	EVP_MD_CTX *ctx = ThreadContext();
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	if (md == nullptr || ctx == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
	    EVP_DigestUpdate(ctx, input.data(), input.size()) != 1 ||
	    EVP_DigestFinal_ex(ctx, digest, &length) != 1 || length != kSha256HexLength / 2) {
		throw Error(sqlstate::kInternalError, "OpenSSL SHA-256 computation failed");
	}
	for (unsigned int i = 0; i < length; i++) {
		out[2 * i] = kHexDigits[digest[i] >> 4];
		out[2 * i + 1] = kHexDigits[digest[i] & 0x0f];
	}
}

std::string Sha256Hex(std::string_view input) {
	std::string hex(kSha256HexLength, '\0');
	Sha256Hex(input, hex.data());
	return hex;
}

namespace {

bool IsDigest(std::string_view value, bool uppercase_allowed) noexcept {
	if (value.size() != kSha256HexLength)
		return false;
	for (char c : value) {
		const bool hex =
		    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (uppercase_allowed && c >= 'A' && c <= 'F');
		if (!hex)
			return false;
	}
	return true;
}

} // namespace

bool IsSha256Hex(std::string_view value) noexcept {
	return IsDigest(value, true);
}

bool IsLowercaseSha256Hex(std::string_view value) noexcept {
	return IsDigest(value, false);
}

} // namespace capi
