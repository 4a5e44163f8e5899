// capi_test_server's LinkedIn Conversions API stand-in, through its Router: headers, token, version,
// element schema, the 422 "Index: N" body, faults and the OAuth-issued token.
#include "server/app/router.hpp"
#include "server/platforms/linkedin/linkedin_handler.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace capi::testserver {
namespace {

using nlohmann::json;

constexpr char kEmail[] = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

json Element(const std::string &event_id, int64_t at_ms = NowMs() - 60000) {
	return {{"conversion", "urn:lla:llaPartnerConversion:1001"},
	        {"conversionHappenedAt", at_ms},
	        {"conversionValue", {{"currencyCode", "USD"}, {"amount", "12.50"}}},
	        {"eventId", event_id},
	        {"user", {{"userIds", {{{"idType", "SHA256_EMAIL"}, {"idValue", kEmail}}}}}}};
}

class LinkedInServerTest : public ::testing::Test {
protected:
	Reply Send(const json &body, std::vector<HttpHeader> headers = {},
	           const std::string &path = "/rest/conversionEvents") {
		HttpRequest request;
		request.method = "POST";
		request.path = path;
		request.target = path;
		if (headers.empty()) {
			headers = Headers();
		}
		request.headers = std::move(headers);
		const std::string text = body.is_string() ? body.get<std::string>() : body.dump();
		request.body.append(text.data(), text.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	static std::vector<HttpHeader> Headers(const std::string &version = "202607",
	                                       const std::string &token = "AQVgood") {
		return {{"authorization", "Bearer " + token},
		        {"linkedin-version", version},
		        {"x-restli-protocol-version", "2.0.0"},
		        {"x-restli-method", "BATCH_CREATE"},
		        {"content-type", "application/json"}};
	}
	Reply Control(const std::string &method, const std::string &what, const json &body = json::object()) {
		HttpRequest request;
		request.method = method;
		request.path = "/__control/" + what;
		request.target = request.path;
		const std::string text = body.dump();
		request.body.append(text.data(), text.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	static json Body(const Reply &reply) { return json::parse(reply.response.body); }

	static ServerOptions Options() {
		ServerOptions options;
		options.platform_tokens["linkedin"] = {"AQVgood"};
		return options;
	}
	ServerOptions options_ = Options();
	Router router_{options_};
};

TEST_F(LinkedInServerTest, BatchCreateAnswersOneStatusPerElement) {
	Reply reply = Send({{"elements", {Element("a"), Element("b")}}});
	ASSERT_EQ(reply.response.status, 200) << reply.response.body;
	EXPECT_EQ(Body(reply), (json{{"elements", {{{"status", 201}}, {{"status", 201}}}}}));
	json stats = Body(Control("GET", "stats"));
	EXPECT_EQ(stats["platforms"]["linkedin"]["accepted_events"], 2) << stats.dump();
}

TEST_F(LinkedInServerTest, HeadersTokenAndVersionAreRequired) {
	const json body = {{"elements", {Element("a")}}};
	auto headers = Headers();
	headers.erase(headers.begin() + 1); // no LinkedIn-Version
	Reply reply = Send(body, headers);
	EXPECT_EQ(reply.response.status, 400);
	EXPECT_EQ(Body(reply)["code"], "VERSION_MISSING");
	reply = Send(body, Headers("202511"));
	EXPECT_EQ(reply.response.status, 426);
	EXPECT_EQ(Body(reply), (json{{"status", 426},
	                             {"code", "NONEXISTENT_VERSION"},
	                             {"message", "Requested version 20251101 is not active"}}));
	EXPECT_EQ(Send(body, Headers("209901")).response.status, 426); // not released
	reply = Send(body, Headers("202607", "AQVbad"));
	EXPECT_EQ(reply.response.status, 401);
	EXPECT_EQ(Body(reply)["code"], "INVALID_ACCESS_TOKEN");
	headers = Headers();
	headers.erase(headers.begin() + 3); // no X-RestLi-Method
	EXPECT_EQ(Send(body, headers).response.status, 400);
	headers = Headers();
	headers[2].value = "1.0.0";
	EXPECT_EQ(Send(body, headers).response.status, 400);
	EXPECT_EQ(Send(json{{"elements", json::array()}}).response.status, 400);
	json many = {{"elements", json::array()}};
	for (int i = 0; i < 5001; ++i)
		many["elements"].push_back(Element("e" + std::to_string(i)));
	EXPECT_EQ(Send(many).response.status, 400);
	many["elements"].erase(many["elements"].begin());
	EXPECT_EQ(Send(many).response.status, 200);
}

TEST(LinkedInVersion, LiveForTwelveMonthsAfterRelease) {
	const int64_t dec_7_2026 = 1796601600 + 15 * 3600;
	EXPECT_TRUE(LinkedInVersionIsLive("202607", dec_7_2026));
	EXPECT_TRUE(LinkedInVersionIsLive("202612", dec_7_2026));
	EXPECT_TRUE(LinkedInVersionIsLive("202512", dec_7_2026)); // sunset on the 15th
	EXPECT_FALSE(LinkedInVersionIsLive("202512", dec_7_2026 + 8 * 86400));
	EXPECT_FALSE(LinkedInVersionIsLive("202511", dec_7_2026));
	EXPECT_FALSE(LinkedInVersionIsLive("202701", dec_7_2026));
	EXPECT_FALSE(LinkedInVersionIsLive("202613", dec_7_2026));
	EXPECT_TRUE(LinkedInVersionIsLive("202608.01", dec_7_2026));
}

TEST_F(LinkedInServerTest, InvalidElementsAreNamedByIndex) {
	json bad_time = Element("b", (NowMs() - 91LL * 86400 * 1000));
	json seconds = Element("c", NowMs() / 1000);
	json unhashed = Element("d");
	unhashed["user"]["userIds"][0]["idValue"] = "JOHN@EXAMPLE.COM";
	json number_amount = Element("e");
	number_amount["conversionValue"]["amount"] = 12.5;
	json no_ids = Element("f");
	no_ids["user"] = {{"userIds", json::array()}};
	json missing = Element("g");
	missing["user"].erase("userIds");
	missing["extra"] = 1;
	Reply reply =
	    Send({{"elements", {Element("a"), bad_time, seconds, unhashed, number_amount, no_ids, missing}}});
	ASSERT_EQ(reply.response.status, 422);
	EXPECT_EQ(
	    Body(reply)["message"],
	    "Index: 1, ERROR :: /conversionHappenedAt :: conversion happened more than 90 days ago\n"
	    "Index: 2, ERROR :: /conversionHappenedAt :: " +
	        std::to_string(NowMs() / 1000) +
	        " is not in epoch milliseconds (it looks like seconds)\n"
	        "Index: 3, ERROR :: /user/userIds/0/idValue :: SHA256_EMAIL must be a SHA-256 hex digest\n"
	        "Index: 4, ERROR :: /conversionValue/amount :: must be a decimal number as a string\n"
	        "Index: 5, ERROR :: /user :: at least one userId or userInfo with firstName and lastName is "
	        "required\n"
	        "Index: 6, ERROR :: /extra :: unrecognized field found but not allowed\n"
	        "ERROR :: /user/userIds :: field is required but not found and has no default value\n");
	json stats = Body(Control("GET", "stats"));
	EXPECT_EQ(stats["platforms"]["linkedin"]["accepted_events"], 0);
}

TEST_F(LinkedInServerTest, FaultsSpeakLinkedIn) {
	ASSERT_EQ(Control("POST", "faults", {{"platform", "linkedin"}, {"status", 429}, {"retry_after", 2}})
	              .response.status,
	          200);
	Reply reply = Send({{"elements", {Element("a")}}});
	EXPECT_EQ(reply.response.status, 429);
	EXPECT_EQ(Body(reply)["code"], "TOO_MANY_REQUESTS");
	ASSERT_EQ(Control("POST", "faults", {{"linkedin_error", {{"index", 1}, {"message", "/eventId :: nope"}}}})
	              .response.status,
	          200);
	reply = Send({{"elements", {Element("a"), Element("b")}}});
	EXPECT_EQ(reply.response.status, 422);
	EXPECT_EQ(Body(reply)["message"], "Index: 1, ERROR :: /eventId :: nope\n");
	ASSERT_EQ(Control("POST", "faults", {{"status", 426}, {"platform", "linkedin"}}).response.status, 200);
	EXPECT_EQ(Body(Send({{"elements", {Element("a")}}}))["code"], "NONEXISTENT_VERSION");
	ASSERT_EQ(Control("POST", "faults", {{"reject_event_id", "b"}}).response.status, 200);
	reply = Send({{"elements", {Element("a"), Element("b")}}});
	EXPECT_EQ(reply.response.status, 422);
	EXPECT_EQ(Body(reply)["message"],
	          "Index: 1, ERROR :: /eventId :: event_id 'b' is rejected by a reject_event_id fault rule\n");
	EXPECT_EQ(Control("POST", "faults", {{"linkedin_error", 5}}).response.status, 400);
}

TEST_F(LinkedInServerTest, OAuthIssuedTokensWorkUntilExpired) {
	HttpRequest request;
	request.method = "POST";
	request.path = request.target = "/oauth/v2/accessToken";
	request.headers.push_back({"content-type", "application/x-www-form-urlencoded"});
	const std::string form = "grant_type=refresh_token&refresh_token=r1&client_id=c&client_secret=s";
	request.body.append(form.data(), form.size());
	Reply token_reply;
	router_.Handle(request, &token_reply);
	ASSERT_EQ(token_reply.response.status, 200);
	const std::string token = Body(token_reply)["access_token"];
	EXPECT_EQ(Send({{"elements", {Element("a")}}}, Headers("202607", token)).response.status, 200);
	Control("POST", "oauth", {{"expire_all", true}});
	EXPECT_EQ(Send({{"elements", {Element("a")}}}, Headers("202607", token)).response.status, 401);
}

} // namespace
} // namespace capi::testserver
