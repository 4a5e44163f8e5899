// capi_test_server's TikTok Events API 2.0 stand-in, through its Router.
#include "server/app/router.hpp"

#include "core/platforms/tiktok/tiktok_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace capi::testserver {
namespace {

using nlohmann::json;

constexpr char kEmail[] = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

int64_t NowS() {
	return std::chrono::duration_cast<std::chrono::seconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

json Event(const std::string &id) {
	return {
	    {"event", "Purchase"},
	    {"event_time", NowS() - 60},
	    {"event_id", id},
	    {"user", {{"email", {kEmail}}, {"ip", "203.0.113.7"}, {"city", "newyork"}, {"ttclid", "E.C.P.x"}}},
	    {"properties",
	     {{"value", 12.5}, {"currency", "USD"}, {"contents", {{{"content_id", "sku-1"}, {"quantity", 1}}}}}},
	    {"page", {{"url", "https://shop.example/"}}},
	    {"limited_data_use", true}};
}

json Body(std::vector<json> events) { // a vector: Body({event}) is an array of one on every compiler
	return {{"event_source", "web"}, {"event_source_id", "C4ABCDEF12345"}, {"data", json(std::move(events))}};
}

class TikTokServerTest : public ::testing::Test {
protected:
	TikTokServerTest() {
		options_.platform_tokens["tiktok"] = {"good-token"};
		router_ = std::make_unique<Router>(options_);
	}

	Reply Send(const std::string &body, const std::string &token = "good-token",
	           const std::string &path = "/open_api/v1.3/event/track/", const std::string &method = "POST") {
		HttpRequest request;
		request.method = method;
		request.path = path;
		request.target = path;
		request.headers.push_back(HttpHeader{"content-type", "application/json"});
		if (!token.empty()) {
			request.headers.push_back(HttpHeader{"access-token", token});
		}
		request.body.append(body.data(), body.size());
		Reply reply;
		router_->Handle(request, &reply);
		return reply;
	}
	json Code(const Reply &reply) { return json::parse(reply.response.body)["code"]; }
	std::string Message(const Reply &reply) { return json::parse(reply.response.body)["message"]; }
	json Stats() {
		HttpRequest request;
		request.method = "GET";
		request.path = request.target = "/__control/stats";
		Reply reply;
		router_->Handle(request, &reply);
		return json::parse(reply.response.body);
	}
	void Fault(const std::string &rule) {
		HttpRequest request;
		request.method = "POST";
		request.path = request.target = "/__control/faults";
		request.body.append(rule.data(), rule.size());
		Reply reply;
		router_->Handle(request, &reply);
		ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	}

	ServerOptions options_;
	std::unique_ptr<Router> router_;
};

TEST_F(TikTokServerTest, AcceptsAValidBatchWithCodeZero) {
	Reply reply = Send(Body({Event("a"), Event("b")}).dump());
	EXPECT_EQ(reply.response.status, 200);
	json body = json::parse(reply.response.body);
	EXPECT_EQ(body["code"], 0);
	EXPECT_EQ(body["message"], "OK");
	EXPECT_FALSE(body["request_id"].get<std::string>().empty());
	json stats = Stats();
	EXPECT_EQ(stats["platforms"]["tiktok"]["accepted_events"], 2) << stats.dump();
}

TEST_F(TikTokServerTest, TokenIsCheckedWithHttp200AndACode) {
	Reply missing = Send(Body({Event("a")}).dump(), "");
	EXPECT_EQ(missing.response.status, 200);
	EXPECT_EQ(Code(missing), 40104);
	Reply wrong = Send(Body({Event("a")}).dump(), "bad-token");
	EXPECT_EQ(Code(wrong), 40105);
}

TEST_F(TikTokServerTest, RequestLevelErrors) {
	EXPECT_EQ(Send("[]").response.status, 200);
	EXPECT_EQ(Code(Send("[]")), 40002);
	json body = Body({Event("a")});
	body["event_source"] = "website";
	EXPECT_EQ(Message(Send(body.dump())), "event_source: Must be one of: web, app, offline, crm.");
	body = Body({Event("a")});
	body.erase("event_source_id");
	EXPECT_EQ(Message(Send(body.dump())), "event_source_id: Missing data for required field.");
	std::vector<json> many;
	for (int i = 0; i < 1001; ++i) {
		many.push_back(Event("e" + std::to_string(i)));
	}
	EXPECT_EQ(Message(Send(Body(many).dump())), "data: Length must be between 1 and 1000.");
	many.erase(many.begin());
	EXPECT_EQ(Code(Send(Body(many).dump())), 0);
	EXPECT_EQ(
	    Send(Body({Event("a")}).dump(), "good-token", "/open_api/v1.3/event/track/", "GET").response.status,
	    405);
}

TEST_F(TikTokServerTest, OneBadEventRejectsTheBatchNamingIt) {
	json bad = Event("b");
	bad["user"]["email"] = {"john@example.com"};
	Reply reply = Send(Body({Event("a"), bad}).dump());
	EXPECT_EQ(Code(reply), 40002);
	EXPECT_EQ(Message(reply).rfind("Batch.1.user.email: must be hashed with SHA-256", 0), 0u)
	    << Message(reply);

	auto problem = [&](json event) { return Message(Send(Body({event}).dump())); };
	json event = Event("c");
	event["event_time"] = NowS() * 1000;
	EXPECT_EQ(problem(event), "Batch.0.event_time: must be a Unix timestamp in seconds.");
	event = Event("c");
	event["event_time"] = NowS() + 3600;
	EXPECT_EQ(problem(event), "Batch.0.event_time: must not be in the future.");
	event = Event("c");
	event["properties"]["contents"][0]["content_id"] = 1077218;
	EXPECT_EQ(problem(event), "Batch.0.properties.contents.0.content_id: Not a valid string.");
	event = Event("c");
	event["properties"]["currency"] = "usd";
	EXPECT_EQ(problem(event), "Batch.0.properties.currency: Not a valid ISO 4217 currency code.");
	event = Event("c");
	event["user"]["city"] = kEmail;
	EXPECT_EQ(problem(event), "Batch.0.user.city: must not be hashed.");
	event = Event("c");
	event["user"]["ip"] = "999.1.1.1";
	EXPECT_EQ(problem(event), "Batch.0.user.ip: Not a valid IP address.");
	event = Event("c");
	event["event_name"] = "Purchase";
	EXPECT_EQ(problem(event), "Batch.0.event_name: Unknown field.");
	event = Event("c");
	event.erase("event");
	EXPECT_EQ(problem(event), "Batch.0.event: Missing data for required field.");
}

TEST_F(TikTokServerTest, Faults) {
	Fault(R"({"reject_event_id": "bad-1"})");
	Reply reply = Send(Body({Event("a"), Event("bad-1")}).dump());
	EXPECT_EQ(Code(reply), 40002);
	EXPECT_EQ(Message(reply).rfind("Batch.1.event_id: ", 0), 0u) << Message(reply);

	Fault(R"({"status": 429, "platform": "tiktok", "retry_after": 2})");
	reply = Send(Body({Event("a")}).dump());
	EXPECT_EQ(reply.response.status, 429);
	EXPECT_EQ(Code(reply), 40100);

	Fault(R"({"tiktok_error": {"code": 40100}})");
	reply = Send(Body({Event("a")}).dump());
	EXPECT_EQ(reply.response.status, 200);
	EXPECT_EQ(Code(reply), 40100);
	EXPECT_EQ(Message(reply), "Too many requests. Please retry in some time.");

	Fault(R"({"tiktok_error": {"code": 40001, "message": "No permission"}})");
	EXPECT_EQ(Code(Send(Body({Event("a")}).dump())), 40001);

	HttpRequest request;
	request.method = "POST";
	request.path = request.target = "/__control/faults";
	std::string rule = R"({"tiktok_error": {"message": "no code"}})";
	request.body.append(rule.data(), rule.size());
	Reply bad_rule;
	router_->Handle(request, &bad_rule);
	EXPECT_EQ(bad_rule.response.status, 400);
}

// What the adapter builds is what the stand-in accepts, and its answers classify as intended.
TEST_F(TikTokServerTest, AcceptsTheAdaptersRequests) {
	dispatch::Destination destination;
	destination.name = "tt";
	destination.platform = identity::Platform::kTikTok;
	destination.config_json = R"({"pixel_code": "C4ABCDEF12345", "test_event_code": "TEST1"})";
	destination.credentials_json = R"({"access_token": "good-token"})";
	dispatch::OutboxEvent event;
	event.event_id = "order-1";
	event.event_name = "Purchase";
	event.event_time_ms = NowS() * 1000 - 5000;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/";
	event.user_data_json =
	    std::string(R"({"email": [")") + kEmail +
	    R"("], "city@tiktok": ["newyork"], "client_ip_address": "203.0.113.7", "ttclid": "E.C.P.x"})";
	event.custom_data_json =
	    R"({"value": 10, "currency": "eur", "contents": [{"id": 42, "quantity": 1, "item_price": 10}], "order_id": "o1"})";
	event.consent_json = R"({"ldu": true})";
	const dispatch::TikTokAdapter adapter;
	dispatch::HttpRequest request = adapter.BuildRequest(destination, {&event}, {""}, NowS() * 1000);
	ASSERT_EQ(request.headers.size(), 2u);
	Reply reply = Send(request.body, request.headers[1].substr(std::string("Access-Token: ").size()));
	EXPECT_EQ(Code(reply), 0) << reply.response.body << "\n" << request.body;
	EXPECT_EQ(adapter.Classify(destination, 1, reply.response.status, reply.response.body, {}).kind,
	          dispatch::OutcomeKind::kDelivered);

	Reply wrong = Send(request.body, "other");
	EXPECT_EQ(adapter.Classify(destination, 1, wrong.response.status, wrong.response.body, {}).kind,
	          dispatch::OutcomeKind::kAuthFailed);
	Fault(R"({"reject_event_id": "order-1"})");
	Reply rejected = Send(request.body);
	dispatch::BatchOutcome outcome =
	    adapter.Classify(destination, 1, rejected.response.status, rejected.response.body, {});
	EXPECT_EQ(outcome.kind, dispatch::OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>{0});
}

} // namespace
} // namespace capi::testserver
