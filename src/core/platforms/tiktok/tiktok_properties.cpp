#include "core/platforms/tiktok/tiktok_properties.hpp"

#include <simdjson.h>

#include "core/dispatch/json_writer.hpp"

namespace capi::dispatch {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsNumber(element value) {
	element_type type = value.type();
	return type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE;
}

bool IsInteger(element value) {
	element_type type = value.type();
	return type == element_type::INT64 || type == element_type::UINT64;
}

class ObjectWriter {
public:
	explicit ObjectWriter(std::string *out) : out_(out) { out_->push_back('{'); }
	void Key(std::string_view key) {
		if (!first_) {
			out_->push_back(',');
		}
		first_ = false;
		AppendJsonString(out_, key);
		out_->push_back(':');
	}
	void Raw(std::string_view key, element value) {
		Key(key);
		out_->append(simdjson::minify(value));
	}
	void String(std::string_view key, std::string_view value) {
		Key(key);
		AppendJsonString(out_, value);
	}
	void Close() { out_->push_back('}'); }

private:
	std::string *out_;
	bool first_ = true;
};

// A product id: TikTok wants a string; a number is sent as its decimal text.
std::optional<std::string> IdText(element value) {
	std::string_view text;
	if (value.get(text) == simdjson::SUCCESS) {
		return std::string(text);
	}
	if (IsInteger(value)) {
		return simdjson::minify(value);
	}
	return std::nullopt;
}

std::optional<std::string> WriteContents(simdjson::dom::array contents, std::string *out) {
	out->push_back('[');
	bool first = true;
	for (element item : contents) {
		simdjson::dom::object object;
		if (item.get(object) != simdjson::SUCCESS) {
			return std::string("custom_data.contents must hold objects for TikTok");
		}
		if (!first) {
			out->push_back(',');
		}
		first = false;
		ObjectWriter writer(out);
		for (auto field : object) {
			std::string_view key = field.key;
			element value = field.value;
			if (value.is_null()) {
				continue;
			}
			if (key == "id" || key == "content_id") {
				std::optional<std::string> id = IdText(value);
				if (!id) {
					return std::string("custom_data.contents[].id must be a string for TikTok");
				}
				writer.String("content_id", *id);
			} else if (key == "quantity") {
				if (!IsInteger(value)) {
					return std::string("custom_data.contents[].quantity must be an integer for TikTok");
				}
				writer.Raw("quantity", value);
			} else if (key == "item_price" || key == "price") {
				if (!IsNumber(value)) {
					return std::string("custom_data.contents[]." + std::string(key) +
					                   " must be a number for TikTok");
				}
				writer.Raw("price", value);
			} else if (key == "title" || key == "content_name" || key == "category" ||
			           key == "content_category" || key == "brand") {
				std::string_view text;
				if (value.get(text) != simdjson::SUCCESS) {
					return "custom_data.contents[]." + std::string(key) + " must be a string for TikTok";
				}
				std::string_view name = key == "title"      ? "content_name"
				                        : key == "category" ? "content_category"
				                                            : key;
				writer.String(name, text);
			}
		}
		writer.Close();
	}
	out->push_back(']');
	return std::nullopt;
}

std::string UpperAscii(std::string_view text) {
	std::string upper(text);
	for (char &c : upper) {
		if (c >= 'a' && c <= 'z') {
			c = static_cast<char>(c - 'a' + 'A');
		}
	}
	return upper;
}

} // namespace

struct TikTokProperties::Parser {
	simdjson::dom::parser parser;
};

TikTokProperties::TikTokProperties() : parser_(std::make_unique<Parser>()) {}
TikTokProperties::~TikTokProperties() = default;

std::optional<std::string> TikTokProperties::Write(std::string_view custom_data_json, std::string *out) {
	out->clear();
	ObjectWriter writer(out);
	if (custom_data_json.empty()) {
		writer.Close();
		return std::nullopt;
	}
	simdjson::dom::object object;
	if (parser_->parser.parse(custom_data_json.data(), custom_data_json.size()).get(object) !=
	    simdjson::SUCCESS) {
		return std::string("custom_data must be a JSON object");
	}
	for (auto field : object) {
		std::string_view key = field.key;
		element value = field.value;
		if (value.is_null()) {
			continue;
		}
		std::string_view text;
		if (key == "value") {
			if (!IsNumber(value)) {
				return std::string("custom_data.value must be a number for TikTok");
			}
			writer.Raw("value", value);
		} else if (key == "num_items") {
			if (!IsInteger(value)) {
				return std::string("custom_data.num_items must be an integer for TikTok");
			}
			writer.Raw("num_items", value);
		} else if (key == "currency" || key == "content_type" || key == "order_id" ||
		           key == "search_string") {
			if (value.get(text) != simdjson::SUCCESS) {
				return "custom_data." + std::string(key) + " must be a string for TikTok";
			}
			if (key == "currency") {
				writer.String("currency", UpperAscii(text));
			} else {
				writer.String(key == "search_string" ? std::string_view("query") : key, text);
			}
		} else if (key == "content_ids") {
			simdjson::dom::array ids;
			if (value.get(ids) != simdjson::SUCCESS) {
				return std::string("custom_data.content_ids must be an array of strings for TikTok");
			}
			writer.Key("content_ids");
			out->push_back('[');
			bool first = true;
			for (element id : ids) {
				std::optional<std::string> id_text = IdText(id);
				if (!id_text) {
					return std::string("custom_data.content_ids must be an array of strings for TikTok");
				}
				if (!first) {
					out->push_back(',');
				}
				first = false;
				AppendJsonString(out, *id_text);
			}
			out->push_back(']');
		} else if (key == "contents") {
			simdjson::dom::array contents;
			if (value.get(contents) != simdjson::SUCCESS) {
				return std::string("custom_data.contents must be an array for TikTok");
			}
			writer.Key("contents");
			if (std::optional<std::string> problem = WriteContents(contents, out)) {
				return problem;
			}
		}
	}
	writer.Close();
	return std::nullopt;
}

} // namespace capi::dispatch
