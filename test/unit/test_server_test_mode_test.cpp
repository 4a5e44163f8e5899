// capi_test_server speaks each platform's test or validate mode as the platform does, driven by the
// requests the adapters build in test mode (InTestMode, capi.dry_run): the platform's own success
// answer, per-event errors as in real delivery, and the events counted as test events only: not as
// accepted (delivered) events, not under their destination, not as duplicates of the real delivery
// that follows.
#include "server/app/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <chrono>
#include <string>
#include <vector>

#include "core/dispatch/test_mode.hpp"
#include "core/outbox/identity_bag_builder.hpp"

namespace capi::testserver {
namespace {

using dispatch::AdapterFor;
using dispatch::BatchOutcome;
using dispatch::Destination;
using dispatch::OutboxEvent;
using dispatch::OutcomeKind;
using nlohmann::json;

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

Destination Make(identity::Platform platform, json config) {
	Destination destination;
	destination.name = "dry";
	destination.platform = platform;
	destination.config_json = config.dump();
	destination.credentials_json = json{{"access_token", "token-1"}}.dump();
	destination.endpoint_override = "http://127.0.0.1:1";
	return destination;
}

struct Case {
	const char *platform; // the handler's name, as in stats
	Destination destination;
	const char *code; // test code, or nullptr for a flag
};

std::vector<Case> Cases() {
	return {
	    {"meta", Make(identity::Platform::kMeta, {{"pixel_id", "1234"}}), "TEST42"},
	    {"google",
	     Make(identity::Platform::kGoogle,
	          {{"operating_account_id", "1234567890"}, {"conversion_actions", {{"Purchase", "555"}}}}),
	     nullptr},
	    {"tiktok", Make(identity::Platform::kTikTok, {{"pixel_code", "C4ABCDEF12345"}}), "TEST77"},
	    {"snap", Make(identity::Platform::kSnap, {{"pixel_id", "a1b2c3d4-0000-4000-8000-123456789abc"}}),
	     nullptr},
	    {"reddit", Make(identity::Platform::kReddit, {{"pixel_id", "a2_ewxbfz9xk2d5"}}), "t2_test"},
	    {"pinterest", Make(identity::Platform::kPinterest, {{"ad_account_id", "549755885175"}}), nullptr},
	};
}

OutboxEvent Purchase(const std::string &id) {
	OutboxEvent event;
	event.event_id = id;
	event.event_name = "Purchase";
	event.event_time_ms = NowMs() - 60000;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/thanks";
	event.user_data_json = outbox::BuildIdentityBag(
	    R"({"email": "a@example.com", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0",
	        "gclid": "g-1"})",
	    "US");
	event.custom_data_json = R"({"value": 9.5, "currency": "EUR", "order_id": ")" + id + R"("})";
	event.consent_json = R"({"ad_user_data": "granted"})";
	return event;
}

class TestModeServerTest : public ::testing::Test {
protected:
	Reply Send(const dispatch::HttpRequest &built) {
		HttpRequest request;
		request.method = "POST";
		request.target = built.url.substr(built.url.find('/', built.url.find("//") + 2));
		const size_t question = request.target.find('?');
		request.path = request.target.substr(0, question);
		if (question != std::string::npos)
			request.query = request.target.substr(question + 1);
		for (const std::string &header : built.headers) {
			size_t colon = header.find(':');
			std::string name = header.substr(0, colon);
			for (char &c : name)
				c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
			request.headers.push_back(HttpHeader{name, header.substr(colon + 2)});
		}
		request.body.append(built.body.data(), built.body.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	json Control(const std::string &method, const std::string &path, const std::string &body = "") {
		HttpRequest request;
		request.method = method;
		request.path = request.target = "/__control/" + path;
		request.headers.push_back(HttpHeader{"content-type", "application/json"});
		request.body.append(body.data(), body.size());
		Reply reply;
		router_.Handle(request, &reply);
		return json::parse(reply.response.body);
	}
	// Sends events the way the adapter builds them, in test mode or not; the adapter's reading of the reply.
	BatchOutcome Deliver(const Case &c, bool test_mode, const std::vector<OutboxEvent> &events,
	                     Reply *raw = nullptr) {
		const dispatch::PlatformAdapter &adapter = AdapterFor(c.destination.platform);
		Destination destination =
		    test_mode
		        ? dispatch::InTestMode(c.destination, adapter,
		                               c.code != nullptr ? std::optional<std::string>(c.code) : std::nullopt)
		        : c.destination;
		std::vector<const OutboxEvent *> batch;
		for (const OutboxEvent &event : events)
			batch.push_back(&event);
		Reply reply = Send(adapter.BuildRequest(destination, batch, {}, NowMs()));
		if (raw != nullptr)
			*raw = reply;
		return adapter.Classify(destination, events.size(), reply.response.status, reply.response.body, {});
	}

	ServerOptions options_;
	Router router_{options_};
};

TEST_F(TestModeServerTest, TestModeIsAnsweredAsThePlatformDoesAndNeverCountedAsDelivered) {
	for (const Case &c : Cases()) {
		SCOPED_TRACE(c.platform);
		Control("POST", "reset");
		Reply reply;
		BatchOutcome outcome = Deliver(c, true, {Purchase("t-1"), Purchase("t-2")}, &reply);
		EXPECT_EQ(reply.response.status, 200) << reply.response.body;
		EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << outcome.message;
		json stats = Control("GET", "stats")["platforms"][c.platform];
		EXPECT_EQ(stats["test_events"], 2) << stats.dump();
		EXPECT_EQ(stats["accepted_events"], 0) << stats.dump();
		EXPECT_TRUE(Control("GET", "stats")["destinations"].empty());
		json recent = Control("GET", "events")["events"];
		ASSERT_EQ(recent.size(), 2u);
		EXPECT_TRUE(recent[0].contains("test_event_code")) << recent.dump();

		// The real delivery afterwards counts, and is no duplicate of the test.
		EXPECT_EQ(Deliver(c, false, {Purchase("t-1"), Purchase("t-2")}).kind, OutcomeKind::kDelivered);
		stats = Control("GET", "stats")["platforms"][c.platform];
		EXPECT_EQ(stats["accepted_events"], 2) << stats.dump();
		EXPECT_EQ(stats["duplicate_events"], 0) << stats.dump();
		EXPECT_EQ(stats["test_events"], 2) << stats.dump();
	}
}

TEST_F(TestModeServerTest, TheSpecificTestAnswers) {
	const std::vector<Case> cases = Cases();
	Reply reply;
	Deliver(cases[0], true, {Purchase("m-1")}, &reply); // Meta: as a real delivery, events_received
	EXPECT_EQ(json::parse(reply.response.body)["events_received"], 1);
	// Google Ads validateOnly: errors only, no results ("validated but not executed").
	Destination ads = Make(identity::Platform::kGoogle, {{"api", "ads"},
	                                                     {"operating_account_id", "1234567890"},
	                                                     {"conversion_actions", {{"Purchase", "555"}}}});
	ads.credentials_json = json{{"access_token", "token-1"}, {"developer_token", "dev"}}.dump();
	EXPECT_EQ(Deliver(Case{"google", ads, nullptr}, true, {Purchase("g-1")}, &reply).kind,
	          OutcomeKind::kDelivered)
	    << reply.response.body;
	EXPECT_FALSE(json::parse(reply.response.body).contains("results")) << reply.response.body;
	Deliver(cases[3], true, {Purchase("s-1")}, &reply); // Snap's validate endpoint: test_event and logs
	json snap = json::parse(reply.response.body);
	EXPECT_EQ(snap["status"], "VALID");
	EXPECT_EQ(snap["test_event"], true);
}

TEST_F(TestModeServerTest, ARejectedEventIsRejectedInTestModeToo) {
	for (const Case &c : Cases()) {
		SCOPED_TRACE(c.platform);
		Control("POST", "reset");
		Control("DELETE", "faults");
		const std::string rejected = std::string(c.platform) + "-bad";
		Control("POST", "faults", json{{"reject_event_id", rejected}}.dump());
		BatchOutcome outcome = Deliver(c, true, {Purchase("ok-1"), Purchase(rejected)});
		EXPECT_NE(outcome.kind, OutcomeKind::kDelivered);
		EXPECT_NE(outcome.kind, OutcomeKind::kRetry);
		EXPECT_EQ(Control("GET", "stats")["platforms"][c.platform]["accepted_events"], 0);
	}
}

} // namespace
} // namespace capi::testserver
