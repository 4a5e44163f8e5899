#include "core/platforms/meta/hmac_sha256.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/error.hpp"

namespace capi::dispatch {

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int length = 0;
	if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
	         reinterpret_cast<const unsigned char *>(message.data()), message.size(), digest,
	         &length) == nullptr) {
		throw Error(sqlstate::kInternalError, "HMAC-SHA256 failed in OpenSSL");
	}
	static constexpr char kHex[] = "0123456789abcdef";
	std::string hex(2 * length, '\0');
	for (unsigned int i = 0; i < length; ++i) {
		hex[2 * i] = kHex[digest[i] >> 4];
		hex[2 * i + 1] = kHex[digest[i] & 0xF];
	}
	return hex;
}

} // namespace capi::dispatch
