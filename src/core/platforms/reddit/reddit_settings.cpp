#include "core/platforms/reddit/reddit_adapter.hpp"

#include "core/dispatch/value_checks.hpp"

namespace capi::dispatch {
namespace {

// Reddit pixel ids: letters, digits and '_' ("a2_ewxbfz9xk2d5", "t2_abc").
bool IsPixelId(std::string_view text) {
	if (text.empty() || text.size() > 64)
		return false;
	for (char c : text)
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	return true;
}

} // namespace

RedditSettings ReadRedditSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys({"pixel_id", "test_id"});
	RedditSettings settings;
	settings.pixel_id = config.RequiredString("pixel_id");
	if (!IsPixelId(settings.pixel_id))
		config.Fail("pixel_id", "must be Reddit's pixel id (letters, digits and _, as in \"a2_abc123\")");
	settings.test_id = config.OptionalString("test_id");
	if (settings.test_id && (settings.test_id->size() > 200 || HasControlCharacter(*settings.test_id)))
		config.Fail("test_id", "must be the test id of Reddit's Events Manager (at most 200 characters)");
	settings.common = ReadCommonSettings(destination);

	SettingsReader credentials(destination, "credentials", destination.credentials_json,
	                           SettingsReader::Secrecy::kSecret);
	credentials.RejectUnknownKeys({"access_token"});
	settings.access_token = credentials.RequiredString("access_token");
	if (HasControlCharacter(settings.access_token))
		credentials.Fail("access_token", "must not contain control characters");
	return settings;
}

} // namespace capi::dispatch
