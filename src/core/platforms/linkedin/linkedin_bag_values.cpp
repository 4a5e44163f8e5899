#include "core/platforms/linkedin/linkedin_bag_values.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace capi::dispatch {
namespace {

bool IsIpv4(std::string_view value) {
	char text[32];
	if (value.empty() || value.size() >= sizeof text)
		return false;
	value.copy(text, value.size());
	text[value.size()] = '\0';
	unsigned char address[4];
	return inet_pton(AF_INET, text, address) == 1;
}

} // namespace

std::vector<std::string> BagUserValues::Values(identity::Field field) const {
	std::vector<std::string> result;
	for (std::string_view value : bag_.Values(field))
		if (std::find(result.begin(), result.end(), value) == result.end())
			result.emplace_back(value);
	return result;
}

std::vector<std::string> BagUserValues::PlainValues(identity::PlainKey key, bool ipv4_only) const {
	std::string_view value = bag_.Plain(key);
	if (value.empty() || (ipv4_only && !IsIpv4(value)))
		return {};
	return {std::string(value)};
}

} // namespace capi::dispatch
