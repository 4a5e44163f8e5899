// Pinterest's custom_data (https://developers.pinterest.com/docs/api/v5/events-create): currency,
// value (a decimal string), content_ids (strings), content_name, content_category, content_brand,
// contents [{id, item_price (a decimal string), quantity, item_name, item_category, item_brand}],
// num_items, order_id (a string), search_string. Written from the outbox's Meta-style custom_data.
#include <charconv>
#include <cmath>

#include <simdjson.h>

#include "core/dispatch/json_writer.hpp"
#include "core/platforms/pinterest/pinterest_adapter.hpp"

namespace capi::dispatch {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A JSON number as the shortest decimal text that reads back as the same value ("123.45", "10").
bool AppendDecimal(std::string *out, element value) {
	char text[64];
	std::to_chars_result result{};
	switch (value.type()) {
	case element_type::INT64:
		result = std::to_chars(text, text + sizeof text, value.get_int64().value_unsafe());
		break;
	case element_type::UINT64:
		result = std::to_chars(text, text + sizeof text, value.get_uint64().value_unsafe());
		break;
	case element_type::DOUBLE: {
		double number = value.get_double().value_unsafe();
		if (!std::isfinite(number))
			return false;
		result = std::to_chars(text, text + sizeof text, number, std::chars_format::fixed);
		break;
	}
	default:
		return false;
	}
	if (result.ec != std::errc())
		return false;
	AppendJsonString(out, std::string_view(text, static_cast<std::size_t>(result.ptr - text)));
	return true;
}

// A string as is, a number as its decimal text.
bool AppendText(std::string *out, element value) {
	std::string_view text;
	if (value.get(text) == simdjson::SUCCESS) {
		AppendJsonString(out, text);
		return true;
	}
	if (!value.is_number())
		return false;
	std::string digits;
	if (!AppendDecimal(&digits, value))
		return false;
	out->append(digits); // already a JSON string
	return true;
}

bool AppendInteger(std::string *out, element value) {
	if (value.type() == element_type::DOUBLE) {
		double number = value.get_double().value_unsafe();
		if (!(number >= 0 && number <= 9007199254740992.0 && std::floor(number) == number))
			return false;
		AppendJsonInt(out, static_cast<std::int64_t>(number));
		return true;
	}
	std::int64_t integer = 0;
	if (value.get(integer) != simdjson::SUCCESS || integer < 0)
		return false;
	AppendJsonInt(out, integer);
	return true;
}

void OpenMember(std::string *out, bool *first, std::string_view key) {
	if (!*first)
		out->push_back(',');
	*first = false;
	out->push_back('"');
	out->append(key);
	out->append("\":");
}

std::optional<std::string> AppendContents(std::string *out, element contents) {
	simdjson::dom::array items;
	if (contents.get(items) != simdjson::SUCCESS)
		return std::string("custom_data.contents must be an array of objects");
	out->push_back('[');
	bool first_item = true;
	for (element item : items) {
		simdjson::dom::object object;
		if (item.get(object) != simdjson::SUCCESS)
			return std::string("custom_data.contents must be an array of objects");
		if (!first_item)
			out->push_back(',');
		first_item = false;
		out->push_back('{');
		bool first = true;
		for (simdjson::dom::key_value_pair member : object) {
			std::string_view key = member.key;
			element value = member.value;
			if (value.is_null())
				continue;
			bool ok = true;
			if (key == "id") {
				OpenMember(out, &first, "id");
				ok = AppendText(out, value);
			} else if (key == "item_price") {
				OpenMember(out, &first, "item_price");
				ok = AppendDecimal(out, value);
			} else if (key == "quantity") {
				OpenMember(out, &first, "quantity");
				ok = AppendInteger(out, value);
			} else if (key == "title" || key == "category" || key == "brand") {
				OpenMember(out, &first,
				           key == "title"      ? "item_name"
				           : key == "category" ? "item_category"
				                               : "item_brand");
				ok = value.is_string() && AppendText(out, value);
			} else {
				continue;
			}
			if (!ok)
				return "custom_data.contents[]." + std::string(key) + " cannot be sent to Pinterest";
		}
		out->push_back('}');
	}
	out->push_back(']');
	return std::nullopt;
}

} // namespace

struct PinterestCustomDataWriter::Parser {
	simdjson::dom::parser parser;
};

PinterestCustomDataWriter::PinterestCustomDataWriter() : parser_(std::make_unique<Parser>()) {}
PinterestCustomDataWriter::~PinterestCustomDataWriter() = default;

std::optional<std::string> PinterestCustomDataWriter::Append(std::string *out, std::string_view json) {
	if (json.empty() || json == "{}")
		return std::nullopt;
	element root;
	simdjson::dom::object object;
	if (parser_->parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
	    root.get(object) != simdjson::SUCCESS)
		return std::string("custom_data must be a JSON object");
	std::string &body = scratch_;
	body.clear();
	bool first = true;
	for (simdjson::dom::key_value_pair member : object) {
		std::string_view key = member.key;
		element value = member.value;
		if (value.is_null())
			continue;
		bool ok = true;
		if (key == "value") {
			OpenMember(&body, &first, key);
			ok = AppendDecimal(&body, value);
		} else if (key == "currency") {
			std::string_view code;
			ok = value.get(code) == simdjson::SUCCESS;
			std::string upper(code);
			for (char &c : upper)
				c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
			OpenMember(&body, &first, key);
			AppendJsonString(&body, upper);
		} else if (key == "content_name" || key == "content_category" || key == "content_brand" ||
		           key == "search_string") {
			OpenMember(&body, &first, key);
			ok = value.is_string() && AppendText(&body, value);
		} else if (key == "order_id") {
			OpenMember(&body, &first, key);
			ok = AppendText(&body, value);
		} else if (key == "num_items") {
			OpenMember(&body, &first, key);
			ok = AppendInteger(&body, value);
		} else if (key == "content_ids") {
			simdjson::dom::array ids;
			ok = value.get(ids) == simdjson::SUCCESS;
			OpenMember(&body, &first, key);
			body.push_back('[');
			bool first_id = true;
			for (element id : ids) {
				if (!first_id)
					body.push_back(',');
				first_id = false;
				ok = ok && AppendText(&body, id);
			}
			body.push_back(']');
		} else if (key == "contents") {
			OpenMember(&body, &first, key);
			if (std::optional<std::string> problem = AppendContents(&body, value))
				return problem;
		} else {
			continue; // content_type, predicted_ltv, status, ...: no Pinterest field
		}
		if (!ok)
			return "custom_data." + std::string(key) + " cannot be sent to Pinterest";
	}
	if (first)
		return std::nullopt;
	out->append(",\"custom_data\":{");
	out->append(body);
	out->push_back('}');
	return std::nullopt;
}

} // namespace capi::dispatch
