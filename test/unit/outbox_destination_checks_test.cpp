#include "core/outbox/destination_checks.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/outbox/iso4217.hpp"
#include "core/outbox/standard_event_names.hpp"

namespace capi::outbox {
namespace {

using identity::Platform;

constexpr std::uint32_t kMeta = PlatformBit(Platform::kMeta);
constexpr std::uint32_t kGoogle = PlatformBit(Platform::kGoogle);
constexpr std::uint32_t kTikTok = PlatformBit(Platform::kTikTok);

// A website Purchase as Meta needs it; only the fields these checks read.
struct Event {
	OutboxRowView row;
	RowFacts facts;
	EventIdentifiers identifiers;
	EventTargets targets;
};

Event GoodEvent() {
	Event event;
	event.row.event_id = "order-1042";
	event.row.event_name = "Purchase";
	event.row.action_source = "website";
	event.row.event_source_url = std::string_view("https://shop.example.com/checkout");
	event.facts.has_value = true;
	event.facts.has_currency = true;
	event.identifiers.client_user_agent = "Mozilla/5.0 (X11; Linux x86_64)";
	event.identifiers.fbc = "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890";
	event.identifiers.fbp = "fb.1.1596403881668.1116446470";
	event.targets.platforms = kMeta;
	return event;
}

struct Case {
	const char *name;
	std::function<void(Event &)> change;
	const char *sqlstate = nullptr; // nullptr: accepted
	const char *message = "";
	const char *hint = "";
};

void Check(const Case &c) {
	SCOPED_TRACE(c.name);
	Event event = GoodEvent();
	c.change(event);
	try {
		CheckEventForDestinations(event.row, event.facts, event.identifiers, event.targets);
		EXPECT_EQ(c.sqlstate, nullptr) << "accepted";
	} catch (const Error &error) {
		ASSERT_NE(c.sqlstate, nullptr) << "refused: " << error.sqlstate() << " " << error.what();
		EXPECT_STREQ(error.sqlstate(), c.sqlstate) << error.what();
		EXPECT_NE(std::string(error.what()).find(c.message), std::string::npos) << error.what();
		EXPECT_NE(error.hint().find(c.hint), std::string::npos) << error.hint();
		// fbc and fbp are personal data: never quoted
		EXPECT_EQ(std::string(error.what()).find("AbCd-not"), std::string::npos);
		EXPECT_EQ(error.hint().find("AbCd-not"), std::string::npos);
	}
}

TEST(OutboxDestinationChecks, MetaRefusesWhatMetaWouldFail) {
	const Case cases[] = {
	    {"website without event_source_url", [](Event &e) { e.row.event_source_url = std::nullopt; }, "23502",
	     "a website event for Meta needs event_source_url", "action_source 'website'"},
	    {"website with an empty event_source_url",
	     [](Event &e) { e.row.event_source_url = std::string_view(); }, "23502", "needs event_source_url"},
	    {"website without user agent", [](Event &e) { e.identifiers.client_user_agent = ""; }, "23502",
	     "a website event for Meta needs user_data.client_user_agent", "User-Agent"},
	    {"fbc without prefix", [](Event &e) { e.identifiers.fbc = "AbCd-not"; }, "22023",
	     "user_data.fbc is not in Meta's format fb.<subdomain index>.<creation time in ms>.<fbclid>",
	     "fbp-and-fbc"},
	    {"fbc with letters in the time", [](Event &e) { e.identifiers.fbc = "fb.1.12x4.AbCd-not"; }, "22023",
	     "user_data.fbc"},
	    {"fbc without fbclid", [](Event &e) { e.identifiers.fbc = "fb.1.1554763741205."; }, "22023",
	     "user_data.fbc"},
	    {"fbc with three parts", [](Event &e) { e.identifiers.fbc = "fb.1.AbCd-not"; }, "22023",
	     "user_data.fbc"},
	    {"fbc with a space", [](Event &e) { e.identifiers.fbc = "fb.1.1554763741205.AbCd-not x"; }, "22023",
	     "user_data.fbc"},
	    {"fbc with a 14-digit time", [](Event &e) { e.identifiers.fbc = "fb.1.15547637412050.AbCd-not"; },
	     "22023", "user_data.fbc"},
	    {"fbp malformed", [](Event &e) { e.identifiers.fbp = "fb..1596403881668.AbCd-not"; }, "22023",
	     "user_data.fbp is not in Meta's format", "_fbp cookie"},
	    {"Purchase without value", [](Event &e) { e.facts.has_value = false; }, "23502",
	     "a Purchase for Meta needs custom_data.value", "custom_data.currency"},
	    {"Purchase without currency", [](Event &e) { e.facts.has_currency = false; }, "23502",
	     "a Purchase for Meta needs custom_data.currency", "ISO 4217"},
	    {"two Meta destinations",
	     [](Event &e) {
		     e.targets.platforms = kMeta; // bits: two Meta destinations are one platform
		     e.facts.has_value = false;
	     },
	     "23502", "needs custom_data.value"},
	};
	for (const Case &c : cases)
		Check(c);
}

TEST(OutboxDestinationChecks, AcceptsWhatSomeDestinationAccepts) {
	const Case cases[] = {
	    {"the good event", [](Event &) {}},
	    {"no fbc, no fbp", [](Event &e) { e.identifiers.fbc = e.identifiers.fbp = ""; }},
	    {"fbc with dots in its fbclid, subdomain 0 and 2",
	     [](Event &e) {
		     e.identifiers.fbc = "fb.0.1554763741205.Ab.Cd";
		     e.identifiers.fbp = "fb.2.1596403881668.1116446470";
	     }},
	    {"app event without url or user agent",
	     [](Event &e) {
		     e.row.action_source = "app";
		     e.row.event_source_url = std::nullopt;
		     e.identifiers.client_user_agent = "";
	     }},
	    {"Lead without value",
	     [](Event &e) {
		     e.row.event_name = "Lead";
		     e.facts.has_value = e.facts.has_currency = false;
	     }},
	    {"custom purchase-like name without value",
	     [](Event &e) {
		     e.row.event_name = "purchase_completed";
		     e.facts.has_value = e.facts.has_currency = false;
	     }},
	    // Google accepts all of these: the Meta delivery fails, the INSERT does not
	    {"Meta and Google, no user agent, no url, bad fbc, no value",
	     [](Event &e) {
		     e.targets.platforms = kMeta | kGoogle;
		     e.identifiers.client_user_agent = "";
		     e.row.event_source_url = std::nullopt;
		     e.identifiers.fbc = "AbCd-not";
		     e.facts.has_value = false;
	     }},
	    {"only TikTok",
	     [](Event &e) {
		     e.targets.platforms = kTikTok;
		     e.identifiers.client_user_agent = "";
		     e.facts.has_currency = false;
	     }},
	    {"no destination known",
	     [](Event &e) {
		     e.targets.platforms = 0;
		     e.identifiers.client_user_agent = "";
		     e.identifiers.fbc = "AbCd-not";
	     }},
	    {"ad_user_data denied: Meta skips the event",
	     [](Event &e) {
		     e.facts.ad_user_data_denied = true;
		     e.identifiers.client_user_agent = "";
		     e.identifiers.fbc = "AbCd-not";
		     e.facts.has_value = false;
	     }},
	};
	for (const Case &c : cases)
		Check(c);
}

TEST(OutboxDestinationChecks, MiscasedStandardNamesAreRefusedEverywhere) {
	const Case cases[] = {
	    {"purchase for Meta", [](Event &e) { e.row.event_name = "purchase"; }, "22023",
	     "event_name \"purchase\" is the standard event \"Purchase\" in another case", "Use \"Purchase\""},
	    {"PURCHASE for Google",
	     [](Event &e) {
		     e.row.event_name = "PURCHASE";
		     e.targets.platforms = kGoogle;
	     },
	     "22023", "\"PURCHASE\" is the standard event \"Purchase\"", "config.event_map"},
	    {"addtocart with no destination",
	     [](Event &e) {
		     e.row.event_name = "addtocart";
		     e.targets.platforms = 0;
	     },
	     "22023", "\"AddToCart\""},
	    {"named in a destination's config",
	     [](Event &e) {
		     e.row.event_name = "purchase";
		     e.targets.event_name_in_config = true;
	     }},
	};
	for (const Case &c : cases)
		Check(c);
}

TEST(OutboxDestinationChecks, StandardNames) {
	EXPECT_EQ(MiscasedStandardEventName("purchase"), std::optional<std::string_view>("Purchase"));
	EXPECT_EQ(MiscasedStandardEventName("PURCHASE"), std::optional<std::string_view>("Purchase"));
	EXPECT_EQ(MiscasedStandardEventName("viewcontent"), std::optional<std::string_view>("ViewContent"));
	EXPECT_EQ(MiscasedStandardEventName("completeRegistration"),
	          std::optional<std::string_view>("CompleteRegistration"));
	EXPECT_EQ(MiscasedStandardEventName("Purchase"), std::nullopt);
	EXPECT_EQ(MiscasedStandardEventName("ViewContent"), std::nullopt);
	EXPECT_EQ(MiscasedStandardEventName("purchase_done"), std::nullopt); // custom names stay allowed
	EXPECT_EQ(MiscasedStandardEventName("view_content"), std::nullopt);
	EXPECT_EQ(MiscasedStandardEventName("purchas"), std::nullopt);
	EXPECT_EQ(MiscasedStandardEventName(""), std::nullopt);
}

TEST(OutboxDestinationChecks, Iso4217) {
	for (const char *code : {"USD", "EUR", "JPY", "GBP", "CHF", "usd", "eUr", "AED", "ZWG", "XCG", "SLE"})
		EXPECT_TRUE(IsIso4217Currency(code)) << code;
	for (const char *code : {"XYZ", "ABC", "HRK", "ZWL", "XXX", "XTS", "XAU", "US", "USDD", "", "U$D", "ÜSD"})
		EXPECT_FALSE(IsIso4217Currency(code)) << code;
}

TEST(OutboxDestinationChecks, MetaBrowserIdFormat) {
	EXPECT_TRUE(IsMetaBrowserIdFormat("fb.1.1554763741205.AbCdEf"));
	EXPECT_TRUE(IsMetaBrowserIdFormat("fb.0.1.x"));
	EXPECT_FALSE(IsMetaBrowserIdFormat("fb.1.1554763741205"));
	EXPECT_FALSE(IsMetaBrowserIdFormat("FB.1.1554763741205.x"));
	EXPECT_FALSE(IsMetaBrowserIdFormat("fb.123.1554763741205.x")); // at most 2 digits
	EXPECT_FALSE(IsMetaBrowserIdFormat("fb.1.1554763741205.\x7f"));
	EXPECT_FALSE(IsMetaBrowserIdFormat("fb.1.-1.x"));
}

} // namespace
} // namespace capi::outbox
