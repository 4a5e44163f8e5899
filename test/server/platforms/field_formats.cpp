#include "server/platforms/field_formats.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

namespace capi::testserver {
namespace {

bool IsDigits(std::string_view value) {
	if (value.empty()) {
		return false;
	}
	for (char c : value) {
		if (c < '0' || c > '9') {
			return false;
		}
	}
	return true;
}

bool IsAsciiLetter(char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

} // namespace

bool IsLowerHexSha256(std::string_view value) {
	if (value.size() != 64) {
		return false;
	}
	for (char c : value) {
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return false;
		}
	}
	return true;
}

bool IsIpAddress(std::string_view value) {
	char text[INET6_ADDRSTRLEN + 1];
	if (value.empty() || value.size() >= sizeof(text)) {
		return false;
	}
	std::memcpy(text, value.data(), value.size());
	text[value.size()] = '\0';
	unsigned char address[sizeof(in6_addr)];
	return inet_pton(AF_INET, text, address) == 1 || inet_pton(AF_INET6, text, address) == 1;
}

bool IsMetaBrowserId(std::string_view value) {
	if (value.substr(0, 3) != "fb.") {
		return false;
	}
	value.remove_prefix(3);
	size_t dot = value.find('.');
	if (dot == std::string_view::npos || !IsDigits(value.substr(0, dot))) {
		return false;
	}
	value.remove_prefix(dot + 1);
	dot = value.find('.');
	if (dot == std::string_view::npos || !IsDigits(value.substr(0, dot))) {
		return false;
	}
	return dot + 1 < value.size();
}

bool IsCurrencyCode(std::string_view value) {
	return value.size() == 3 && IsAsciiLetter(value[0]) && IsAsciiLetter(value[1]) && IsAsciiLetter(value[2]);
}

const char *DescribeUnhashedValue(std::string_view value) {
	if (value.find('@') != std::string_view::npos) {
		return "an unhashed email address";
	}
	if (value.size() == 64) {
		return "not lowercase hexadecimal (SHA-256 digests must be lowercase hex)";
	}
	bool phone_like = !value.empty();
	for (char c : value) {
		if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == ' ' || c == '(' || c == ')')) {
			phone_like = false;
		}
	}
	if (phone_like) {
		return "an unhashed phone number or other digits";
	}
	return "unhashed text";
}

} // namespace capi::testserver
