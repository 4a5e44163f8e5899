// capi_test_server's Reddit endpoint, through its Router: path, auth, schema, the 168 h / 5 min
// window, whole-request rejection, faults.
#include "server/app/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace capi::testserver {
namespace {

using nlohmann::json;

const std::string kEmail = "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976";

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

json Event(std::string id) {
	return {{"event_at", NowMs() - 60000},
	        {"action_source", "WEBSITE"},
	        {"click_id", "t3_click"},
	        {"type", {{"tracking_type", "PURCHASE"}}},
	        {"user",
	         {{"email", kEmail},
	          {"ip_address", "203.0.113.7"},
	          {"data_processing_options", {{"modes", {"LDU"}}, {"country", "US"}, {"region", "US-CA"}}}}},
	        {"metadata",
	         {{"conversion_id", std::move(id)}, {"value", 12.5}, {"currency", "USD"}, {"item_count", 1}}}};
}

class RedditServerTest : public ::testing::Test {
protected:
	static ServerOptions Options() {
		ServerOptions options;
		options.platform_tokens["reddit"] = {"good-token"};
		return options;
	}

	Reply Send(const json &body, const std::string &path = "/api/v3/pixels/a2_pixel/conversion_events",
	           const std::string &token = "good-token", const std::string &method = "POST") {
		HttpRequest request;
		request.method = method;
		request.target = request.path = path;
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
	json Events(std::vector<json> events, std::string test_id = "") {
		json data = {{"events", events}};
		if (!test_id.empty()) {
			data["test_id"] = test_id;
		}
		return {{"data", data}};
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
	std::string ErrorOf(json event) {
		Reply reply = Send(Events({Event("ok"), std::move(event)}));
		EXPECT_EQ(reply.response.status, 400) << reply.response.body;
		json body = json::parse(reply.response.body);
		EXPECT_EQ(body["message"], "There were 1 invalid conversion events. None were processed.");
		return body["invalid_events"][0]["error_message"];
	}

	ServerOptions options_ = Options();
	Router router_{options_};
};

TEST_F(RedditServerTest, AcceptsAValidBatch) {
	json custom = Event("b");
	custom["type"] = {{"tracking_type", "CUSTOM"}, {"custom_event_name", "Donate"}};
	Reply reply = Send(Events({Event("a"), custom}, "t2_test"));
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	EXPECT_EQ(json::parse(reply.response.body),
	          json({{"message", "Successfully processed 2 conversion events."}}));
	json stats = Control("GET", "stats");
	// A test_id request: Reddit's test mode, counted as test events, not as delivered ones.
	EXPECT_EQ(stats["platforms"]["reddit"]["accepted_events"], 0);
	EXPECT_EQ(stats["platforms"]["reddit"]["test_events"], 2);
	json recent = Control("GET", "events")["events"];
	EXPECT_EQ(recent[1]["event_name"], "Donate");
	EXPECT_EQ(recent[0]["event_id"], "a");
}

TEST_F(RedditServerTest, AuthAndPath) {
	Reply wrong = Send(Events({Event("a")}), "/api/v3/pixels/a2_pixel/conversion_events", "wrong");
	EXPECT_EQ(wrong.response.status, 401);
	EXPECT_EQ(json::parse(wrong.response.body)["error"]["reason"], "UNAUTHORIZED");
	EXPECT_EQ(Send(Events({Event("a")}), "/api/v3/pixels/a2_pixel/conversion_events", "").response.status,
	          401);
	EXPECT_EQ(Send(Events({Event("a")}), "/api/v3/pixels/a2-x/conversion_events").response.status, 404);
	EXPECT_EQ(Send(Events({Event("a")}), "/api/v3/pixels/a2_pixel/conversion_events", "good-token", "GET")
	              .response.status,
	          405);
}

TEST_F(RedditServerTest, OneInvalidEventRejectsTheRequest) {
	json old = Event("old");
	old["event_at"] = NowMs() - 168LL * 3600 * 1000 - 1000;
	EXPECT_EQ(ErrorOf(old), "event_at timestamp must be less than 168h0m0s old");
	json ahead = Event("ahead");
	ahead["event_at"] = NowMs() + 6 * 60 * 1000;
	EXPECT_EQ(ErrorOf(ahead), "event_at timestamp must not be more than 5m0s in the future");
	json seconds = Event("s");
	seconds["event_at"] = NowMs() / 1000;
	EXPECT_NE(ErrorOf(seconds).find("looks like seconds"), std::string::npos);
	json unhashed = Event("u");
	unhashed["user"]["email"] = "alice@example.com";
	EXPECT_NE(ErrorOf(unhashed).find("unhashed email"), std::string::npos);
	json bad_type = Event("t");
	bad_type["type"] = {{"tracking_type", "Purchase"}};
	EXPECT_NE(ErrorOf(bad_type).find("not a Reddit tracking type"), std::string::npos);
	json custom = Event("c");
	custom["type"] = {{"tracking_type", "CUSTOM"}};
	EXPECT_NE(ErrorOf(custom).find("custom_event_name"), std::string::npos);
	json string_value = Event("v");
	string_value["metadata"]["value"] = "12.5";
	EXPECT_EQ(ErrorOf(string_value), "metadata.value must be a non-negative number");
	json extra = Event("x");
	extra["event_source_url"] = "https://x";
	EXPECT_NE(ErrorOf(extra).find("not a field"), std::string::npos);
	json bad_ldu = Event("l");
	bad_ldu["user"]["data_processing_options"]["country"] = "usa";
	EXPECT_NE(ErrorOf(bad_ldu).find("alpha-2"), std::string::npos);
	EXPECT_EQ(Control("GET", "stats")["platforms"]["reddit"]["accepted_events"], 0);
}

TEST_F(RedditServerTest, BatchCap) {
	std::vector<json> events;
	for (int i = 0; i < 1001; ++i) {
		events.push_back(Event("e" + std::to_string(i)));
	}
	EXPECT_EQ(Send(Events(events)).response.status, 400);
	events.pop_back();
	EXPECT_EQ(Send(Events(events)).response.status, 200);
	EXPECT_EQ(Send(Events({})).response.status, 400);
}

TEST_F(RedditServerTest, Faults) {
	Control("POST", "faults", R"({"reject_event_id": "bad-1"})");
	Reply rejected = Send(Events({Event("ok"), Event("bad-1")}));
	EXPECT_EQ(rejected.response.status, 400);
	EXPECT_EQ(json::parse(rejected.response.body)["invalid_events"].size(), 1u);
	EXPECT_EQ(rejected.response.body.find("[1]"), std::string::npos) << "Reddit names no position";
	Control("DELETE", "faults");
	Control("POST", "faults", R"({"platform": "reddit", "status": 429, "retry_after": 1})");
	Reply limited = Send(Events({Event("a")}));
	EXPECT_EQ(limited.response.status, 429);
	EXPECT_EQ(json::parse(limited.response.body)["error"]["reason"], "TOO_MANY_REQUESTS");
	Control("POST", "faults",
	        R"({"reddit_error": {"reason": "FORBIDDEN", "explanation": "no"}, "status": 403})");
	EXPECT_EQ(Send(Events({Event("a")})).response.status, 403);
	EXPECT_TRUE(Control("POST", "faults", R"({"reddit_error": {"code": 1}})").contains("error"));
}

} // namespace
} // namespace capi::testserver
