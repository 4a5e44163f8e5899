// Typed access to simdjson DOM elements whose type the caller has already checked. The values are
// copied out of simdjson_result temporaries (a range-for over `x.get_object().value_unsafe()`
// would iterate over a destroyed temporary).
#pragma once

#include <simdjson.h>

#include <string_view>

namespace capi::testserver {

inline simdjson::dom::object ObjectOf(simdjson::dom::element element) {
	simdjson::dom::object object;
	if (element.get_object().get(object) != simdjson::SUCCESS) {
		return {};
	}
	return object;
}

inline simdjson::dom::array ArrayOf(simdjson::dom::element element) {
	simdjson::dom::array array;
	if (element.get_array().get(array) != simdjson::SUCCESS) {
		return {};
	}
	return array;
}

inline std::string_view StringOf(simdjson::dom::element element) {
	std::string_view text;
	if (element.get_string().get(text) != simdjson::SUCCESS) {
		return {};
	}
	return text;
}

} // namespace capi::testserver
