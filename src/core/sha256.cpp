#include "core/sha256.hpp"

#include <array>

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

// Which bytes are hex digits: 1 lowercase or digit, 2 uppercase A-F.
constexpr std::array<unsigned char, 256> kHexClass = [] {
	std::array<unsigned char, 256> classes{};
	for (char c = '0'; c <= '9'; c++)
		classes[static_cast<unsigned char>(c)] = 1;
	for (char c = 'a'; c <= 'f'; c++)
		classes[static_cast<unsigned char>(c)] = 1;
	for (char c = 'A'; c <= 'F'; c++)
		classes[static_cast<unsigned char>(c)] = 2;
	return classes;
}();

// Checked for every identifier of every event the worker sends: a table lookup per character and no
// early exit, which the compiler unrolls (a digest is valid far more often than not; the character
// by character version was 4 % of the worker's CPU in a drain).
bool IsDigest(std::string_view value, bool uppercase_allowed) noexcept {
	if (value.size() != kSha256HexLength)
		return false;
	const unsigned char accepted = uppercase_allowed ? 3 : 1;
	bool all = true;
	for (char c : value)
		all &= (kHexClass[static_cast<unsigned char>(c)] & accepted) != 0;
	return all;
}

} // namespace

bool IsSha256Hex(std::string_view value) noexcept {
	return IsDigest(value, true);
}

bool IsLowercaseSha256Hex(std::string_view value) noexcept {
	return IsDigest(value, false);
}

} // namespace capi
