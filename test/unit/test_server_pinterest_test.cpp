// capi_test_server's Pinterest endpoint, through its Router: path, auth, schema, per-event failures,
// faults and the reply shapes the adapter classifies.
#include "server/app/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <string>

namespace capi::testserver {
namespace {

using nlohmann::json;

const std::string kEmail = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

json Event(std::string id, json user_data = json()) {
	if (user_data.is_null()) {
		user_data = {{"em", {kEmail}}};
	}
	return {{"event_name", "checkout"},
	        {"action_source", "web"},
	        {"event_time", std::time(nullptr) - 60},
	        {"event_id", std::move(id)},
	        {"user_data", user_data},
	        {"custom_data", {{"value", "12.50"}, {"currency", "USD"}}}};
}

class PinterestServerTest : public ::testing::Test {
protected:
	Reply Send(const json &body, const std::string &path = "/v5/ad_accounts/549755885175/events",
	           const std::string &token = "good-token", const std::string &method = "POST") {
		HttpRequest request;
		request.method = method;
		size_t question = path.find('?');
		request.target = path;
		request.path = path.substr(0, question);
		request.query = question == std::string::npos ? "" : path.substr(question + 1);
		request.headers.push_back(HttpHeader{"content-type", "application/json"});
		if (!token.empty()) {
			request.headers.push_back(HttpHeader{"authorization", "Bearer " + token});
		}
		std::string text = body.dump();
		request.body.append(text.data(), text.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	json Control(const std::string &method, const std::string &what, const std::string &body = "") {
		HttpRequest request;
		request.method = method;
		request.path = request.target = "/__control/" + what;
		request.body.append(body.data(), body.size());
		Reply reply;
		router_.Handle(request, &reply);
		return json::parse(reply.response.body);
	}

	static ServerOptions Options() {
		ServerOptions options;
		options.platform_tokens["pinterest"] = {"good-token"};
		return options;
	}
	ServerOptions options_ = Options();
	Router router_{options_};
};

TEST_F(PinterestServerTest, AcceptsAValidBatch) {
	Reply reply = Send({{"data", {Event("a"), Event("b")}}});
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	json body = json::parse(reply.response.body);
	EXPECT_EQ(body["num_events_received"], 2);
	EXPECT_EQ(body["num_events_processed"], 2);
	EXPECT_EQ(body["events"][1]["status"], "processed");
	json stats = Control("GET", "stats");
	EXPECT_EQ(stats["platforms"]["pinterest"]["accepted_events"], 2) << stats.dump();
}

TEST_F(PinterestServerTest, AuthAndPath) {
	EXPECT_EQ(Send({{"data", {Event("a")}}}, "/v5/ad_accounts/549755885175/events", "wrong").response.status,
	          401);
	Reply none = Send({{"data", {Event("a")}}}, "/v5/ad_accounts/549755885175/events", "");
	EXPECT_EQ(none.response.status, 401);
	EXPECT_EQ(json::parse(none.response.body), json({{"code", 2}, {"message", "Authentication failed."}}));
	EXPECT_EQ(Send({{"data", {Event("a")}}}, "/v5/ad_accounts/act_1/events").response.status, 404);
	EXPECT_EQ(Send({{"data", {Event("a")}}}, "/v5/ad_accounts/1/events", "good-token", "GET").response.status,
	          405);
	Reply test = Send({{"data", {Event("a")}}}, "/v5/ad_accounts/1/events?test=true");
	EXPECT_EQ(test.response.status, 200);
	EXPECT_EQ(Control("GET", "stats")["platforms"]["pinterest"]["test_events"], 1);
}

TEST_F(PinterestServerTest, SchemaErrorsRejectTheRequest) {
	EXPECT_EQ(Send({{"data", json::array()}}).response.status, 400);
	json too_many = json::array();
	for (int i = 0; i < 1001; ++i) {
		too_many.push_back(Event("e" + std::to_string(i)));
	}
	EXPECT_EQ(Send({{"data", too_many}}).response.status, 400);
	too_many.erase(too_many.begin());
	EXPECT_EQ(Send({{"data", too_many}}).response.status, 200);

	json numeric_value = Event("b");
	numeric_value["custom_data"]["value"] = 12.5;
	Reply reply = Send({{"data", {Event("a"), numeric_value}}});
	EXPECT_EQ(reply.response.status, 400);
	EXPECT_EQ(json::parse(reply.response.body)["message"],
	          "Invalid request body: data[1].custom_data.value must be a decimal string such as \"19.99\"");

	json scalar_email = Event("c", {{"em", kEmail}});
	EXPECT_EQ(Send({{"data", {scalar_email}}}).response.status, 400);
	json bad_name = Event("d");
	bad_name["event_name"] = "Purchase";
	EXPECT_EQ(Send({{"data", {bad_name}}}).response.status, 400);
	json bad_source = Event("e");
	bad_source["action_source"] = "website";
	EXPECT_EQ(Send({{"data", {bad_source}}}).response.status, 400);
	json no_id = Event("f");
	no_id.erase("event_id");
	EXPECT_EQ(Send({{"data", {no_id}}}).response.status, 400);
}

TEST_F(PinterestServerTest, UnusableEventsFailAlone) {
	json unhashed = Event("u", {{"em", {"john@example.com"}}});
	json millis = Event("m");
	millis["event_time"] = std::time(nullptr) * 1000LL;
	json anonymous = Event("n", {{"client_ip_address", "203.0.113.7"}});
	Reply reply = Send({{"data", {unhashed, Event("ok"), millis, anonymous}}});
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	json body = json::parse(reply.response.body);
	EXPECT_EQ(body["num_events_received"], 4);
	EXPECT_EQ(body["num_events_processed"], 1);
	EXPECT_EQ(body["events"][0]["status"], "failed");
	EXPECT_EQ(body["events"][0]["error_message"],
	          "user_data.em[0] is an unhashed email address; it must be a SHA-256 hash");
	EXPECT_EQ(body["events"][1]["status"], "processed");
	EXPECT_NE(body["events"][2]["error_message"].get<std::string>().find("milliseconds"), std::string::npos);
	EXPECT_EQ(body["events"][3]["status"], "failed");
	json stats = Control("GET", "stats")["platforms"]["pinterest"];
	EXPECT_EQ(stats["accepted_events"], 1);
	EXPECT_EQ(stats["rejected_events"], 3);
}

TEST_F(PinterestServerTest, RejectEventIdFaultFailsThatEventAlone) {
	Control("POST", "faults", R"({"reject_event_id": "bad-1"})");
	Reply reply = Send({{"data", {Event("ok-1"), Event("bad-1"), Event("ok-2")}}});
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	json body = json::parse(reply.response.body);
	EXPECT_EQ(body["events"][0]["status"], "processed");
	EXPECT_EQ(body["events"][1]["status"], "failed");
	EXPECT_NE(body["events"][1]["error_message"].get<std::string>().find("bad-1"), std::string::npos);
	EXPECT_EQ(body["events"][2]["status"], "processed");
}

TEST_F(PinterestServerTest, Faults) {
	Control("POST", "faults", R"({"platform": "pinterest", "status": 429, "retry_after": 2})");
	Reply limited = Send({{"data", {Event("a")}}});
	EXPECT_EQ(limited.response.status, 429);
	EXPECT_EQ(json::parse(limited.response.body)["code"], 8);
	Control("POST", "faults", R"({"platform": "pinterest", "status": 503})");
	EXPECT_EQ(Send({{"data", {Event("a")}}}).response.status, 503);
	Control("POST", "faults",
	        R"({"pinterest_error": {"code": 4, "message": "Invalid ad account"}, "status": 400})");
	Reply error = Send({{"data", {Event("a")}}});
	EXPECT_EQ(error.response.status, 400);
	EXPECT_EQ(json::parse(error.response.body), json({{"code", 4}, {"message", "Invalid ad account"}}));
	json refused = Control("POST", "faults", R"({"pinterest_error": {"message": "no code"}})");
	EXPECT_TRUE(refused.contains("error")) << refused.dump();
}

} // namespace
} // namespace capi::testserver
