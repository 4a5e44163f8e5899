// capi_test_server's Snap Conversions API v3 stand-in, through its Router.
#include "server/app/router.hpp"

#include "core/platforms/snap/snap_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace capi::testserver {
namespace {

using nlohmann::json;

constexpr char kEmail[] = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
constexpr char kPixel[] = "a1b2c3d4-0000-4000-8000-123456789abc";
constexpr char kEvents[] = "/v3/a1b2c3d4-0000-4000-8000-123456789abc/events";

int64_t NowS() {
	return std::chrono::duration_cast<std::chrono::seconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

json Event(const std::string &id) {
	return {{"event_name", "PURCHASE"},
	        {"event_time", NowS() - 60},
	        {"event_id", id},
	        {"action_source", "WEB"},
	        {"event_source_url", "https://shop.example/"},
	        {"user_data",
	         {{"em", {kEmail}},
	          {"client_ip_address", "203.0.113.7"},
	          {"client_user_agent", "Mozilla/5.0"},
	          {"sc_click_id", "sc-1"}}},
	        {"custom_data", {{"value", 12.5}, {"currency", "USD"}, {"order_id", "o1"}}},
	        {"data_processing_options", {"LDU"}},
	        {"data_processing_options_country", 0},
	        {"data_processing_options_state", 0}};
}

json Body(std::vector<json> events) { // a vector: Body({event}) is an array of one on every compiler
	return {{"data", json(std::move(events))}};
}

class SnapServerTest : public ::testing::Test {
protected:
	SnapServerTest() {
		options_.platform_tokens["snap"] = {"good/token+1"};
		router_ = std::make_unique<Router>(options_);
	}

	// `query` is sent as is (already percent-encoded).
	Reply Send(const std::string &body, const std::string &query = "access_token=good%2Ftoken%2B1",
	           const std::string &path = kEvents, const std::string &method = "POST") {
		HttpRequest request;
		request.method = method;
		request.path = path;
		request.query = query;
		request.target = query.empty() ? path : path + "?" + query;
		request.headers.push_back(HttpHeader{"content-type", "application/json"});
		request.body.append(body.data(), body.size());
		Reply reply;
		router_->Handle(request, &reply);
		return reply;
	}
	json Answer(const Reply &reply) { return json::parse(reply.response.body); }
	std::string Reason(const Reply &reply) { return json::parse(reply.response.body)["reason"]; }
	json Stats() {
		HttpRequest request;
		request.method = "GET";
		request.path = request.target = "/__control/stats";
		Reply reply;
		router_->Handle(request, &reply);
		return json::parse(reply.response.body);
	}
	int Fault(const std::string &rule) {
		HttpRequest request;
		request.method = "POST";
		request.path = request.target = "/__control/faults";
		request.body.append(rule.data(), rule.size());
		Reply reply;
		router_->Handle(request, &reply);
		return reply.response.status;
	}

	ServerOptions options_;
	std::unique_ptr<Router> router_;
};

TEST_F(SnapServerTest, AcceptsAValidBatch) {
	Reply reply = Send(Body({Event("a"), Event("b")}).dump());
	EXPECT_EQ(reply.response.status, 200);
	EXPECT_EQ(Answer(reply), json({{"status", "VALID"}, {"reason", ""}}));
	json stats = Stats();
	EXPECT_EQ(stats["platforms"]["snap"]["accepted_events"], 2) << stats.dump();
	EXPECT_EQ(stats["platforms"]["snap"]["test_events"], 0) << stats.dump();
}

TEST_F(SnapServerTest, ValidateEndpointAnswersWithTestEventAndLogs) {
	Reply reply =
	    Send(Body({Event("a")}).dump(), "access_token=good%2Ftoken%2B1", std::string(kEvents) + "/validate");
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	json body = Answer(reply);
	EXPECT_EQ(body["status"], "VALID");
	EXPECT_EQ(body["test_event"], true);
	EXPECT_EQ(body["event_logs"][0]["event_id"], "a");
	EXPECT_EQ(body["event_logs"][0]["event_name"], "PURCHASE");
	EXPECT_EQ(Stats()["platforms"]["snap"]["test_events"], 1);
}

TEST_F(SnapServerTest, PathsItDoesNotServe) {
	EXPECT_EQ(Send(Body({Event("a")}).dump(), "access_token=good%2Ftoken%2B1", "/v3/px/events/validate/logs")
	              .response.status,
	          404);
	EXPECT_EQ(Send(Body({Event("a")}).dump(), "access_token=good%2Ftoken%2B1", "/v3//events").response.status,
	          404);
	EXPECT_EQ(
	    Send(Body({Event("a")}).dump(), "access_token=good%2Ftoken%2B1", "/v2/conversion").response.status,
	    404);
	EXPECT_EQ(
	    Send(Body({Event("a")}).dump(), "access_token=good%2Ftoken%2B1", kEvents, "GET").response.status,
	    405);
	EXPECT_EQ(Send(Body({Event("a")}).dump(), "access_token=good%2Ftoken%2B1", "/v3/bad_pixel!/events")
	              .response.status,
	          400);
}

TEST_F(SnapServerTest, TokenFromTheQuery) {
	for (const char *query : {"", "access_token=", "access_token=other", "access_token=good/token+1"}) {
		// The last one decodes '+' as a space: not the token.
		Reply reply = Send(Body({Event("a")}).dump(), query);
		EXPECT_EQ(reply.response.status, 401) << query;
		EXPECT_EQ(Answer(reply)["status"], "INVALID");
		EXPECT_EQ(Reason(reply), "Unauthorized: the access token is missing, invalid or expired");
	}
	EXPECT_EQ(Send(Body({Event("a")}).dump(), "x=1&access_token=good%2Ftoken%2B1").response.status, 200);
	EXPECT_EQ(Stats()["platforms"]["snap"]["accepted_events"], 1);
}

TEST_F(SnapServerTest, RequestLevelErrors) {
	EXPECT_EQ(Send("[]").response.status, 400);
	EXPECT_EQ(Reason(Send("[]")), "The request body must be a JSON object");
	EXPECT_EQ(Reason(Send(R"({"data": {}})")), "data: is required and must be an array of events");
	EXPECT_EQ(Reason(Send(R"({"data": []})")), "data: must hold between 1 and 2000 events");
	json body = Body({Event("a")});
	body["test_event_code"] = "T1";
	EXPECT_EQ(Reason(Send(body.dump())), "test_event_code: unknown field");
	std::vector<json> many;
	for (int i = 0; i < 2001; ++i) {
		many.push_back(Event("e" + std::to_string(i)));
	}
	EXPECT_EQ(Reason(Send(Body(many).dump())), "data: must hold between 1 and 2000 events");
	many.erase(many.begin());
	EXPECT_EQ(Send(Body(many).dump()).response.status, 200);
	EXPECT_EQ(Stats()["batch_sizes"]["2000"], 1) << Stats().dump();
}

TEST_F(SnapServerTest, OneBadEventRejectsTheBatchNamingItsIndex) {
	json bad = Event("b");
	bad["user_data"]["em"] = {"john@example.com"};
	Reply reply = Send(Body({Event("a"), bad}).dump());
	EXPECT_EQ(reply.response.status, 400);
	json answer = Answer(reply);
	EXPECT_EQ(answer["status"], "INVALID");
	EXPECT_EQ(answer["event"], 1);
	EXPECT_EQ(
	    answer["reason"].get<std::string>().rfind("user_data.em: must be a lowercase hex SHA-256 hash", 0),
	    0u)
	    << answer.dump();
	EXPECT_EQ(answer["errors"]["error_msgs"][0], answer["reason"]);
	EXPECT_EQ(answer.dump().find("john@"), std::string::npos) << "the value is never quoted";

	auto problem = [&](json event) { return Reason(Send(Body({event}).dump())); };
	json event = Event("c");
	event["event_time"] = NowS() * 1000;
	EXPECT_EQ(problem(event), "event_time: must be a Unix timestamp in seconds");
	event["event_time"] = NowS() - 38LL * 24 * 3600;
	EXPECT_EQ(problem(event), "event_time: is more than 37 days in the past");
	event["event_time"] = NowS() - 36LL * 24 * 3600;
	EXPECT_EQ(Send(Body({event}).dump()).response.status, 200);
	event["event_time"] = NowS() + 3600;
	EXPECT_EQ(problem(event), "event_time: is in the future");
	event["event_time"] = std::to_string(NowS());
	EXPECT_EQ(problem(event), "event_time: must be a positive integer");
	event = Event("c");
	event["event_name"] = "Purchase";
	EXPECT_EQ(problem(event), "event_name: is not one of Snap's event names");
	event["event_name"] = "LEAD";
	EXPECT_EQ(problem(event), "event_name: is not one of Snap's event names");
	event = Event("c");
	event["action_source"] = "website";
	EXPECT_EQ(problem(event), "action_source: must be WEB, MOBILE_APP or OFFLINE");
	event.erase("action_source");
	EXPECT_EQ(problem(event), "action_source: is required");
	event = Event("c");
	event["user_data"]["em"] = kEmail; // not an array
	EXPECT_EQ(problem(event), "user_data.em: must be a non-empty array of hashes");
	event = Event("c");
	event["user_data"]["ph"] = {std::string(kEmail).substr(0, 63) + "A"};
	EXPECT_EQ(problem(event).rfind("user_data.ph: must be a lowercase hex SHA-256 hash", 0), 0u);
	event = Event("c");
	event["user_data"]["db"] = {kEmail}; // one string, not an array
	EXPECT_EQ(problem(event), "user_data.db: must be a string");
	event = Event("c");
	event["user_data"]["client_ip_address"] = "999.1.1.1";
	EXPECT_EQ(problem(event), "user_data.client_ip_address: must be an IPv4 or IPv6 address");
	event = Event("c");
	event["user_data"]["email"] = {kEmail};
	EXPECT_EQ(problem(event), "user_data.email: unknown field");
	event = Event("c");
	event["data_processing_options"] = {"CCPA"};
	EXPECT_EQ(problem(event), "data_processing_options: the only option is \"LDU\"");
	event = Event("c");
	event["data_processing_options_state"] = "1000";
	EXPECT_EQ(problem(event), "data_processing_options_state: must be an integer");
	event = Event("c");
	event["opt_out"] = "false";
	EXPECT_EQ(problem(event), "opt_out: must be a boolean");
	event = Event("c");
	event["custom_data"]["currency"] = "dollars";
	EXPECT_EQ(problem(event), "custom_data.currency: must be an ISO 4217 currency code");
	event = Event("c");
	event["custom_data"]["value"] = "ten";
	EXPECT_EQ(problem(event), "custom_data.value: must be a number");
	event["custom_data"]["value"] = "10.5"; // Snap's own example sends strings
	EXPECT_EQ(Send(Body({event}).dump()).response.status, 200);
	event = Event("c");
	event["limited_data_use"] = true;
	EXPECT_EQ(problem(event), "limited_data_use: unknown field");
}

TEST_F(SnapServerTest, MinimumIdentifiers) {
	auto status = [&](json user_data) {
		json event = Event("m");
		event["user_data"] = std::move(user_data);
		return Send(Body({event}).dump()).response.status;
	};
	EXPECT_EQ(status({{"em", {kEmail}}}), 200);
	EXPECT_EQ(status({{"ph", {kEmail}}}), 200);
	EXPECT_EQ(status({{"client_ip_address", "203.0.113.7"}, {"client_user_agent", "Mozilla/5.0"}}), 200);
	EXPECT_EQ(status({{"client_ip_address", "203.0.113.7"}, {"sc_click_id", "x"}}), 400);
	EXPECT_EQ(status({{"fn", {kEmail}}, {"sc_cookie1", "x"}}), 400);
	json event = Event("m");
	event.erase("user_data");
	Reply reply = Send(Body({event}).dump());
	EXPECT_EQ(Reason(reply), "user_data: is required");
}

TEST_F(SnapServerTest, Faults) {
	ASSERT_EQ(Fault(R"({"reject_event_id": "bad-1"})"), 200);
	Reply reply = Send(Body({Event("a"), Event("bad-1")}).dump());
	EXPECT_EQ(reply.response.status, 400);
	EXPECT_EQ(Answer(reply)["event"], 1);
	EXPECT_EQ(Reason(reply).rfind("event_id: ", 0), 0u) << Reason(reply);

	ASSERT_EQ(Fault(R"({"status": 429, "platform": "snap", "retry_after": 2})"), 200);
	reply = Send(Body({Event("a")}).dump());
	EXPECT_EQ(reply.response.status, 429);
	EXPECT_EQ(Answer(reply)["status"], "INVALID");
	ASSERT_EQ(reply.response.headers.size(), 1u);
	EXPECT_EQ(reply.response.headers[0], (std::pair<std::string, std::string>{"Retry-After", "2"}));

	ASSERT_EQ(Fault(R"({"status": 503, "platform": "snap"})"), 200);
	EXPECT_EQ(Send(Body({Event("a")}).dump()).response.status, 503);

	ASSERT_EQ(Fault(R"({"snap_error": {"reason": "Pixel is not active", "code": "PIXEL_INACTIVE"}})"), 200);
	reply = Send(Body({Event("a")}).dump());
	EXPECT_EQ(reply.response.status, 400);
	EXPECT_EQ(Answer(reply),
	          json({{"status", "INVALID"},
	                {"reason", "Pixel is not active"},
	                {"errors", {{"codes", {"PIXEL_INACTIVE"}}, {"error_msgs", {"Pixel is not active"}}}}}));

	ASSERT_EQ(Fault(R"({"snap_error": {"reason": "no access", "event": 0}, "status": 403})"), 200);
	reply = Send(Body({Event("a")}).dump());
	EXPECT_EQ(reply.response.status, 403);
	EXPECT_EQ(Answer(reply)["event"], 0);

	EXPECT_EQ(Fault(R"({"snap_error": {"code": "X"}})"), 400);
	EXPECT_EQ(Fault(R"({"snap_error": {"reason": "x", "event": "first"}})"), 400);
}

// What the adapter builds is what the stand-in accepts, and its answers classify as intended.
TEST_F(SnapServerTest, AcceptsTheAdaptersRequests) {
	dispatch::Destination destination;
	destination.name = "sc";
	destination.platform = identity::Platform::kSnap;
	destination.config_json = std::string(R"({"pixel_id": ")") + kPixel + "\"}";
	destination.credentials_json = R"({"access_token": "good/token+1"})";
	dispatch::OutboxEvent event;
	event.event_id = "order-1";
	event.event_name = "Purchase";
	event.event_time_ms = NowS() * 1000 - 5000;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/";
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("], "date_of_birth": [")" + kEmail +
	                       R"("], "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0",
	                          "sc_click_id": "sc-1", "sc_cookie1": "c-1"})";
	event.custom_data_json =
	    R"({"value": 10, "currency": "eur", "contents": [{"id": 42, "quantity": 1, "item_price": 10}], "order_id": "o1"})";
	event.consent_json = R"({"ldu": true, "opt_out": false})";
	const dispatch::SnapAdapter adapter;
	dispatch::HttpRequest request = adapter.BuildRequest(destination, {&event}, {""}, NowS() * 1000);
	std::string prefix = std::string("https://tr.snapchat.com") + kEvents + "?";
	ASSERT_EQ(request.url.rfind(prefix, 0), 0u) << request.url;
	std::string query = request.url.substr(prefix.size());
	ASSERT_EQ(request.body.find("\"data_processing_options\":[\"LDU\"]") != std::string::npos, true);

	Reply reply = Send(request.body, query);
	EXPECT_EQ(reply.response.status, 200) << reply.response.body << "\n" << request.body;
	EXPECT_EQ(adapter.Classify(destination, 1, reply.response.status, reply.response.body, {}).kind,
	          dispatch::OutcomeKind::kDelivered);

	// A wrong token: 401, the destination pauses.
	Reply wrong = Send(request.body, "access_token=other");
	EXPECT_EQ(adapter.Classify(destination, 1, wrong.response.status, wrong.response.body, {}).kind,
	          dispatch::OutcomeKind::kAuthFailed);

	// config.validate: the validate endpoint, whose answer is a delivery too.
	destination.config_json = std::string(R"({"pixel_id": ")") + kPixel + R"(", "validate": true})";
	dispatch::HttpRequest validate = adapter.BuildRequest(destination, {&event}, {""}, NowS() * 1000);
	std::string validate_prefix = std::string("https://tr.snapchat.com") + kEvents + "/validate?";
	ASSERT_EQ(validate.url.rfind(validate_prefix, 0), 0u) << validate.url;
	Reply checked = Send(validate.body, query, std::string(kEvents) + "/validate");
	EXPECT_EQ(checked.response.status, 200) << checked.response.body;
	EXPECT_EQ(adapter.Classify(destination, 1, checked.response.status, checked.response.body, {}).kind,
	          dispatch::OutcomeKind::kDelivered);

	// A rejected event is named by its index; a 429 and a 5xx are retried.
	ASSERT_EQ(Fault(R"({"reject_event_id": "order-1"})"), 200);
	Reply rejected = Send(request.body, query);
	dispatch::BatchOutcome outcome =
	    adapter.Classify(destination, 1, rejected.response.status, rejected.response.body, {});
	EXPECT_EQ(outcome.kind, dispatch::OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>{0});
	ASSERT_EQ(Fault(R"({"status": 429, "platform": "snap"})"), 200);
	Reply limited = Send(request.body, query);
	EXPECT_EQ(adapter.Classify(destination, 1, limited.response.status, limited.response.body, {}).kind,
	          dispatch::OutcomeKind::kRetry);
	ASSERT_EQ(Fault(R"({"status": 500, "platform": "snap"})"), 200);
	Reply failed = Send(request.body, query);
	EXPECT_EQ(adapter.Classify(destination, 1, failed.response.status, failed.response.body, {}).kind,
	          dispatch::OutcomeKind::kRetry);
	// An INVALID answer without an index: the whole batch, which the pipeline splits.
	ASSERT_EQ(Fault(R"({"snap_error": {"reason": "Pixel is not active"}})"), 200);
	Reply whole = Send(request.body, query);
	EXPECT_EQ(adapter.Classify(destination, 1, whole.response.status, whole.response.body, {}).kind,
	          dispatch::OutcomeKind::kRejectedBatch);
}

} // namespace
} // namespace capi::testserver
