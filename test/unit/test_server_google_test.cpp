// capi_test_server's Google handler, driven by the requests GoogleAdapter builds, and the adapter's
// reading of its replies: both APIs, OAuth tokens, whole-request and per-row failures.
#include "server/app/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

#include "core/outbox/identity_bag_builder.hpp"
#include "core/platforms/google/google_adapter.hpp"

namespace capi::testserver {
namespace {

using dispatch::BatchOutcome;
using dispatch::Destination;
using dispatch::GoogleAdapter;
using dispatch::HttpRequest;
using dispatch::OutboxEvent;
using dispatch::OutcomeKind;
using nlohmann::json;

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

class GoogleServerTest : public ::testing::Test {
protected:
	Reply Send(const HttpRequest &built) {
		HttpRequest copy = built;
		HttpRequest *request_source = &copy;
		capi::testserver::HttpRequest request;
		request.method = "POST";
		std::string url = request_source->url;
		request.target = url.substr(url.find('/', url.find("//") + 2));
		request.path = request.target.substr(0, request.target.find('?'));
		for (const std::string &header : request_source->headers) {
			size_t colon = header.find(':');
			std::string name = header.substr(0, colon);
			for (char &c : name)
				c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
			request.headers.push_back(HttpHeader{name, header.substr(colon + 2)});
		}
		request.body.append(request_source->body.data(), request_source->body.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	Reply Control(const std::string &method, const std::string &path, const std::string &body) {
		capi::testserver::HttpRequest request;
		request.method = method;
		request.path = request.target = path;
		request.headers.push_back(HttpHeader{"content-type", "application/json"});
		request.body.append(body.data(), body.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	// A token from the server's /token, through the adapter's TokenRequest.
	std::string Token(const Destination &destination) {
		Reply reply = Send(*GoogleAdapter().TokenRequest(destination, ""));
		EXPECT_EQ(reply.response.status, 200) << reply.response.body;
		return json::parse(reply.response.body)["access_token"];
	}
	BatchOutcome Deliver(const Destination &destination, const std::vector<OutboxEvent> &events,
	                     const std::string &token, Reply *raw = nullptr) {
		std::vector<const OutboxEvent *> batch;
		for (const OutboxEvent &event : events)
			batch.push_back(&event);
		HttpRequest request = GoogleAdapter().BuildRequest(destination, batch, {"", token}, NowMs());
		Reply reply = Send(request);
		if (raw != nullptr)
			*raw = reply;
		return GoogleAdapter().Classify(destination, events.size(), reply.response.status,
		                                reply.response.body, {});
	}

	ServerOptions options_;
	Router router_{options_};
};

Destination GoogleDestination(bool ads) {
	Destination destination;
	destination.name = ads ? "g_ads" : "g_dm";
	destination.platform = identity::Platform::kGoogle;
	destination.config_json =
	    std::string(R"({"api": ")") + (ads ? "ads" : "data_manager") +
	    R"(", "operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555", "Lead": "777"}})";
	destination.credentials_json =
	    std::string(R"({"client_id": "cid", "client_secret": "cs", "refresh_token": "rt")") +
	    (ads ? R"(, "developer_token": "dev")" : "") + "}";
	destination.endpoint_override = "http://127.0.0.1:1";
	return destination;
}

OutboxEvent Purchase(const std::string &id,
                     const std::string &raw = R"({"email": "a@example.com", "gclid": "g-1"})") {
	OutboxEvent event;
	event.event_id = id;
	event.event_name = "Purchase";
	event.event_time_ms = NowMs() - 60000;
	event.action_source = "website";
	event.user_data_json = outbox::BuildIdentityBag(raw, "US");
	event.custom_data_json = R"({"value": 9.5, "currency": "EUR"})";
	event.consent_json = R"({"ad_user_data": "granted"})";
	return event;
}

TEST_F(GoogleServerTest, DataManagerAcceptsTheAdaptersRequestAndCountsEachEventUnderItsAction) {
	Destination destination = GoogleDestination(false);
	OutboxEvent lead = Purchase("lead-1");
	lead.event_name = "Lead";
	Reply reply;
	BatchOutcome outcome =
	    Deliver(destination, {Purchase("o-1"), lead, Purchase("o-2")}, Token(destination), &reply);
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << reply.response.body;
	EXPECT_FALSE(outcome.trace_id.empty());
	json stats = json::parse(Control("GET", "/__control/stats", "").response.body);
	EXPECT_EQ(stats["platforms"]["google"]["accepted_events"], 3);
	EXPECT_EQ(stats["destinations"]["google/1234567890"], 3);
	json recent = json::parse(Control("GET", "/__control/events", "").response.body);
	std::string dump = recent.dump();
	EXPECT_NE(dump.find("\"777\""), std::string::npos) << dump; // the Lead's action id as its event name
}

TEST_F(GoogleServerTest, DataManagerRejectsTheWholeRequestNamingTheEvent) {
	Destination destination = GoogleDestination(false);
	OutboxEvent good = Purchase("o-1");
	// Bypass the adapter's own check: write the body by hand from a valid request.
	HttpRequest request =
	    GoogleAdapter().BuildRequest(destination, {&good, &good}, {"", Token(destination)}, NowMs());
	json body = json::parse(request.body);
	body["events"][1]["userData"]["userIdentifiers"][0]["emailAddress"] = "ABCDEF";
	request.body = body.dump();
	Reply reply = Send(request);
	ASSERT_EQ(reply.response.status, 400);
	json error = json::parse(reply.response.body)["error"];
	EXPECT_EQ(error["status"], "INVALID_ARGUMENT");
	EXPECT_EQ(error["details"][0]["fieldViolations"][0]["field"],
	          "events[1].userData.userIdentifiers[0].emailAddress");
	BatchOutcome outcome = GoogleAdapter().Classify(destination, 2, 400, reply.response.body, {});
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>{1});
}

TEST_F(GoogleServerTest, UnknownOrMissingTokensAre401) {
	Destination destination = GoogleDestination(false);
	OutboxEvent event = Purchase("o-1");
	HttpRequest request = GoogleAdapter().BuildRequest(destination, {&event}, {"", "made-up"}, NowMs());
	Reply reply = Send(request); // no --token for google: any non-empty token passes
	EXPECT_EQ(reply.response.status, 200) << reply.response.body;
	request.headers.erase(
	    std::remove_if(request.headers.begin(), request.headers.end(),
	                   [](const std::string &h) { return h.rfind("Authorization", 0) == 0; }),
	    request.headers.end());
	reply = Send(request);
	EXPECT_EQ(reply.response.status, 401);
	EXPECT_EQ(json::parse(reply.response.body)["error"]["status"], "UNAUTHENTICATED");
}

TEST_F(GoogleServerTest, ExpiredTokenIsAuthFailure) {
	Destination destination = GoogleDestination(true);
	std::string token = Token(destination);
	EXPECT_EQ(Deliver(destination, {Purchase("o-1")}, token).kind, OutcomeKind::kDelivered);
	ASSERT_EQ(Control("POST", "/__control/oauth", R"({"expire_all": true})").response.status, 200);
	Reply reply;
	BatchOutcome outcome = Deliver(destination, {Purchase("o-2")}, token, &reply);
	EXPECT_EQ(reply.response.status, 401);
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed) << outcome.message;
	EXPECT_EQ(Deliver(destination, {Purchase("o-2")}, Token(destination)).kind, OutcomeKind::kDelivered);
}

TEST_F(GoogleServerTest, AdsPartialFailureFailsOnlyTheBadRow) {
	Destination destination = GoogleDestination(true);
	ASSERT_EQ(Control("POST", "/__control/faults", R"({"reject_event_id": "o-2"})").response.status, 200);
	Reply reply;
	BatchOutcome outcome =
	    Deliver(destination, {Purchase("o-1"), Purchase("o-2"), Purchase("o-3")}, Token(destination), &reply);
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial) << reply.response.body;
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>{1});
	json body = json::parse(reply.response.body);
	EXPECT_EQ(body["results"][1], json::object());
	EXPECT_EQ(body["results"][0]["gclid"], "g-1");
	json stats = json::parse(Control("GET", "/__control/stats", "").response.body);
	EXPECT_EQ(stats["platforms"]["google"]["accepted_events"], 2);
}

TEST_F(GoogleServerTest, AdsRowErrorsFromValidation) {
	Destination destination = GoogleDestination(true);
	OutboxEvent good = Purchase("o-1");
	HttpRequest request =
	    GoogleAdapter().BuildRequest(destination, {&good, &good}, {"", Token(destination)}, NowMs());
	json body = json::parse(request.body);
	body["conversions"][0]["gbraid"] = "gb";
	body["conversions"][0]["wbraid"] = "wb";
	body["conversions"][0].erase("gclid");
	request.body = body.dump();
	Reply reply = Send(request);
	ASSERT_EQ(reply.response.status, 200);
	BatchOutcome outcome = GoogleAdapter().Classify(destination, 2, 200, reply.response.body, {});
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial);
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>{0});
	ASSERT_EQ(outcome.bad_messages.size(), 1u);
	EXPECT_NE(outcome.bad_messages[0].find("GBRAID_WBRAID_BOTH_SET"), std::string::npos);

	// Without a developer token: a destination problem, no split.
	request.headers.erase(
	    std::remove_if(request.headers.begin(), request.headers.end(),
	                   [](const std::string &h) { return h.rfind("developer-token", 0) == 0; }),
	    request.headers.end());
	reply = Send(request);
	EXPECT_EQ(reply.response.status, 400);
	EXPECT_EQ(GoogleAdapter().Classify(destination, 2, 400, reply.response.body, {}).kind,
	          OutcomeKind::kPermanent);
}

TEST_F(GoogleServerTest, FaultsInGoogleShape) {
	Destination destination = GoogleDestination(false);
	ASSERT_EQ(Control("POST", "/__control/faults", R"({"platform": "google", "status": 429, "count": 1})")
	              .response.status,
	          200);
	Reply reply;
	EXPECT_EQ(Deliver(destination, {Purchase("o-1")}, Token(destination), &reply).kind, OutcomeKind::kRetry);
	EXPECT_EQ(json::parse(reply.response.body)["error"]["status"], "RESOURCE_EXHAUSTED");
	ASSERT_EQ(
	    Control(
	        "POST", "/__control/faults",
	        R"({"google_error": {"status": "PERMISSION_DENIED", "message": "no access"}, "status": 403, "count": 1})")
	        .response.status,
	    200);
	EXPECT_EQ(Deliver(destination, {Purchase("o-1")}, Token(destination)).kind, OutcomeKind::kPermanent);
}

} // namespace
} // namespace capi::testserver
