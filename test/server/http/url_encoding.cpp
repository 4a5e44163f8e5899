#include "server/http/url_encoding.hpp"

namespace capi::testserver {
namespace {

int HexValue(char c) {
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

} // namespace

long PercentDecode(std::string_view in, char *out) {
	char *o = out;
	const char *p = in.data();
	const char *end = p + in.size();
	while (p < end) {
		char c = *p;
		if (c == '%') {
			if (end - p < 3) {
				return -1;
			}
			int high = HexValue(p[1]);
			int low = HexValue(p[2]);
			if ((high | low) < 0) {
				return -1;
			}
			*o++ = static_cast<char>(high * 16 + low);
			p += 3;
		} else {
			*o++ = c == '+' ? ' ' : c;
			++p;
		}
	}
	return static_cast<long>(o - out);
}

bool PercentDecode(std::string_view in, std::string *out) {
	out->resize(in.size());
	long n = PercentDecode(in, out->data());
	if (n < 0) {
		out->clear();
		return false;
	}
	out->resize(static_cast<size_t>(n));
	return true;
}

bool FindFormParam(std::string_view params, std::string_view name, std::string_view *raw_value) {
	std::string decoded_name;
	while (!params.empty()) {
		size_t amp = params.find('&');
		std::string_view pair = params.substr(0, amp);
		params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
		size_t eq = pair.find('=');
		std::string_view raw_name = pair.substr(0, eq);
		bool matches = raw_name == name || (raw_name.find_first_of("%+") != std::string_view::npos &&
		                                    PercentDecode(raw_name, &decoded_name) && decoded_name == name);
		if (matches) {
			*raw_value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
			return true;
		}
	}
	return false;
}

} // namespace capi::testserver
