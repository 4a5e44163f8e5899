// Reddit's metadata (https://ads-api.reddit.com/docs/v3/operations/Post%20Conversion%20Events):
// conversion_id (the deduplication key: the outbox event_id), currency, value (a number in the
// currency's units), item_count, products [{id, name, category}]; written from Meta-style custom_data.
#include <charconv>
#include <cmath>

#include <simdjson.h>

#include "core/dispatch/json_writer.hpp"
#include "core/platforms/reddit/reddit_adapter.hpp"

namespace capi::dispatch {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool AppendNumber(std::string *out, element value) {
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
		result = std::to_chars(text, text + sizeof text, number);
		break;
	}
	default:
		return false;
	}
	if (result.ec != std::errc())
		return false;
	out->append(text, static_cast<std::size_t>(result.ptr - text));
	return true;
}

// A string as is, a number as its text, as a JSON string.
bool AppendText(std::string *out, element value) {
	std::string_view text;
	if (value.get(text) == simdjson::SUCCESS) {
		AppendJsonString(out, text);
		return true;
	}
	std::string digits;
	if (!AppendNumber(&digits, value))
		return false;
	AppendJsonString(out, digits);
	return true;
}

// A non-negative integer (2.0 counts, as jsonb keeps numeric text), or nullopt.
std::optional<std::int64_t> CountOf(element value) {
	if (value.type() == element_type::DOUBLE) {
		double number = value.get_double().value_unsafe();
		if (number >= 0 && number <= 9007199254740992.0 && std::floor(number) == number)
			return static_cast<std::int64_t>(number);
		return std::nullopt;
	}
	std::int64_t integer = 0;
	if (value.get(integer) != simdjson::SUCCESS || integer < 0)
		return std::nullopt;
	return integer;
}

void OpenMember(std::string *out, bool *first, std::string_view key) {
	if (!*first)
		out->push_back(',');
	*first = false;
	out->push_back('"');
	out->append(key);
	out->append("\":");
}

// products from contents; *quantity is the sum of their quantities.
std::optional<std::string> AppendProducts(std::string *out, element contents, std::int64_t *quantity) {
	simdjson::dom::array items;
	if (contents.get(items) != simdjson::SUCCESS)
		return std::string("custom_data.contents must be an array of objects");
	out->push_back('[');
	bool first_item = true;
	for (element item : items) {
		simdjson::dom::object object;
		if (item.get(object) != simdjson::SUCCESS)
			return std::string("custom_data.contents must be an array of objects");
		out->append(first_item ? "{" : ",{");
		first_item = false;
		bool first = true;
		for (simdjson::dom::key_value_pair member : object) {
			std::string_view key = member.key;
			element value = member.value;
			if (value.is_null())
				continue;
			if (key == "quantity") {
				std::optional<std::int64_t> count = CountOf(value);
				if (!count)
					return std::string("custom_data.contents[].quantity must be a non-negative integer");
				*quantity += *count;
			} else if (key == "id" || key == "title" || key == "category") {
				OpenMember(out, &first, key == "title" ? "name" : key);
				if (!AppendText(out, value))
					return "custom_data.contents[]." + std::string(key) + " cannot be sent to Reddit";
			}
		}
		out->push_back('}');
	}
	out->push_back(']');
	return std::nullopt;
}

} // namespace

struct RedditMetadataWriter::Parser {
	simdjson::dom::parser parser;
};

RedditMetadataWriter::RedditMetadataWriter() : parser_(std::make_unique<Parser>()) {}
RedditMetadataWriter::~RedditMetadataWriter() = default;

std::optional<std::string> RedditMetadataWriter::Append(std::string *out, std::string_view event_id,
                                                        std::string_view json) {
	std::string &body = scratch_;
	body.clear();
	bool first = true;
	if (!event_id.empty()) {
		OpenMember(&body, &first, "conversion_id");
		AppendJsonString(&body, event_id);
	}
	std::optional<std::int64_t> item_count;
	std::int64_t quantity = 0;
	bool has_products = false;
	if (!json.empty() && json != "{}") {
		element root;
		simdjson::dom::object object;
		if (parser_->parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS ||
		    root.get(object) != simdjson::SUCCESS)
			return std::string("custom_data must be a JSON object");
		for (simdjson::dom::key_value_pair member : object) {
			std::string_view key = member.key;
			element value = member.value;
			if (value.is_null())
				continue;
			if (key == "value") {
				OpenMember(&body, &first, "value");
				if (!AppendNumber(&body, value))
					return std::string("custom_data.value cannot be sent to Reddit (a number is needed)");
			} else if (key == "currency") {
				std::string_view code;
				if (value.get(code) != simdjson::SUCCESS)
					return std::string("custom_data.currency cannot be sent to Reddit");
				std::string upper(code);
				for (char &c : upper)
					c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
				OpenMember(&body, &first, "currency");
				AppendJsonString(&body, upper);
			} else if (key == "num_items") {
				item_count = CountOf(value);
				if (!item_count)
					return std::string("custom_data.num_items must be a non-negative integer");
			} else if (key == "contents") {
				OpenMember(&body, &first, "products");
				if (std::optional<std::string> problem = AppendProducts(&body, value, &quantity))
					return problem;
				has_products = true;
			}
		}
	}
	if (!item_count && has_products && quantity > 0)
		item_count = quantity;
	if (item_count) {
		OpenMember(&body, &first, "item_count");
		AppendJsonInt(&body, *item_count);
	}
	if (first)
		return std::nullopt;
	out->append(",\"metadata\":{");
	out->append(body);
	out->push_back('}');
	return std::nullopt;
}

} // namespace capi::dispatch
