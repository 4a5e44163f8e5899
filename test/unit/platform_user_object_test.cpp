// Each platform's user object is written once (src/core/platforms/<name>/<name>_user_object.cpp):
// the registry knows one per platform, and Meta's request body carries the very object
// capi.user_data(..., 'meta') returns for the same identifiers.
#include "core/platforms/user_object.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/dispatch/identity_bag.hpp"
#include "core/dispatch/user_object_json.hpp"
#include "core/identity/user_data.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/platforms/meta/meta_adapter.hpp"
#include "core/platforms/snap/snap_user_object.hpp"

namespace capi::platforms {
namespace {

using identity::Platform;
using nlohmann::json;

constexpr Platform kAll[] = {Platform::kMeta, Platform::kGoogle, Platform::kTikTok,   Platform::kLinkedIn,
                             Platform::kSnap, Platform::kReddit, Platform::kPinterest};

const json kIdentifiers = {
    {"email", {"John_Smith@Gmail.com", "mary@example.com"}},
    {"phone", "+1 650 555 1212"},
    {"first_name", "Mary"},
    {"last_name", "Smith"},
    {"gender", "f"},
    {"date_of_birth", "1997-02-16"},
    {"city", "New York"},
    {"state", "CA"},
    {"zip", "94035"},
    {"country", "US"},
    {"external_id", "crm-42"},
    {"client_ip_address", "203.0.113.9"},
    {"client_user_agent", "Mozilla/5.0"},
    {"fbc", "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890"},
    {"fbp", "fb.1.1558571054389.1098115397"},
    {"sc_click_id", "sc-click-1"},
};

TEST(PlatformUserObject, EveryPlatformHasOneMappingFlatOrStructured) {
	for (Platform platform : kAll) {
		const UserObjectMapping &mapping = UserObjectFor(platform);
		SCOPED_TRACE(std::string(identity::PlatformName(platform)));
		EXPECT_NE(mapping.key_count > 0, mapping.build != nullptr);
		std::set<std::string_view> names;
		for (const UserKey &key : mapping)
			EXPECT_TRUE(names.insert(key.name).second) << key.name;
	}
}

TEST(PlatformUserObject, MetaRequestBodyCarriesWhatUserDataReturns) {
	dispatch::Destination destination;
	destination.name = "shop_meta";
	destination.platform = Platform::kMeta;
	destination.config_json = R"({"pixel_id": "123456789012345"})";
	destination.credentials_json = R"({"access_token": "EAAtoken-123"})";
	dispatch::OutboxEvent event;
	event.outbox_id = 1;
	event.event_id = "order-1001";
	event.event_name = "Purchase";
	event.event_time_ms = 1762902353789;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/checkout";
	event.user_data_json = outbox::BuildIdentityBag(kIdentifiers.dump(), "US");

	auto builder = dispatch::MetaAdapter().StartRequest(destination, {});
	ASSERT_EQ(builder->Add(event, 1762902400000), std::nullopt);
	json sent = json::parse(builder->Finish().body)["data"][0]["user_data"];

	json expected = identity::BuildUserData(kIdentifiers, Platform::kMeta, "US");
	EXPECT_EQ(expected.size(), 15u) << expected.dump(); // every key of Meta's table has a value
	EXPECT_EQ(sent, expected);
}

TEST(PlatformUserObject, FlatWriterFollowsEachKeysForm) {
	dispatch::IdentityBag bag;
	ASSERT_EQ(bag.Load(R"({"date_of_birth": ["d1", "d2"], "email": ["e1", "e2"], "sc_click_id": "c1",
	                      "fbc": "not-snap"})",
	                   Platform::kSnap),
	          std::nullopt);
	std::string out;
	dispatch::AppendUserObject(&out, kSnapUserObject, bag);
	EXPECT_EQ(out, R"({"em":["e1","e2"],"db":"d1","sc_click_id":"c1"})");
}

} // namespace
} // namespace capi::platforms
