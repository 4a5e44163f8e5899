// The outbox's Meta-style custom_data as TikTok's "properties" object
// (https://business-api.tiktok.com/portal/docs?id=1771100779668482):
//   value, currency (upper-cased ISO 4217), content_type, content_ids, num_items, order_id -> same
//   search_string                          -> query
//   contents[] {id, quantity, item_price, title, category, brand}
//                                          -> {content_id, quantity, price, content_name,
//                                              content_category, brand}
// Other keys are not sent. TikTok rejects a batch over one mistyped value ("content_id: Not a valid
// string"), so types are checked here and the event refused alone.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace capi::dispatch {

class TikTokProperties {
public:
	TikTokProperties();
	~TikTokProperties();
	TikTokProperties(const TikTokProperties &) = delete;
	TikTokProperties &operator=(const TikTokProperties &) = delete;

	// Writes the "properties" object for custom_data_json (a JSON object's text, or "" for none)
	// into out (replaced). Returns what is wrong instead (naming keys, never values).
	std::optional<std::string> Write(std::string_view custom_data_json, std::string *out);

private:
	struct Parser;
	std::unique_ptr<Parser> parser_;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
