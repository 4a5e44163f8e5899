// capi_test_server's OAuth token endpoints and shared token rules, through its Router.
#include "server/app/router.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace capi::testserver {
namespace {

class OAuthTest : public ::testing::Test {
protected:
	Reply Send(const std::string &method, const std::string &path, const std::string &body,
	           const std::string &content_type = "application/x-www-form-urlencoded") {
		HttpRequest request;
		request.method = method;
		request.path = path;
		request.target = path;
		request.headers.push_back(HttpHeader{"content-type", content_type});
		request.body.append(body.data(), body.size());
		Reply reply;
		router_.Handle(request, &reply);
		return reply;
	}
	nlohmann::json Json(const Reply &reply) { return nlohmann::json::parse(reply.response.body); }

	ServerOptions options_;
	Router router_{options_};
};

constexpr char kGrant[] = "grant_type=refresh_token&refresh_token=1%2F%2Fgood&client_id=id&client_secret=s";

TEST_F(OAuthTest, RefreshGrantGetsABearerTokenOnBothPaths) {
	for (const char *path : {"/token", "/oauth/v2/accessToken"}) {
		Reply reply = Send("POST", path, kGrant);
		ASSERT_EQ(reply.response.status, 200) << reply.response.body;
		nlohmann::json json = Json(reply);
		EXPECT_EQ(json["token_type"], "Bearer");
		EXPECT_EQ(json["expires_in"], 3600);
		EXPECT_FALSE(json["access_token"].get<std::string>().empty());
	}
	nlohmann::json stats = Json(Send("GET", "/__control/stats", ""));
	EXPECT_EQ(stats["oauth"]["token_requests"], 2);
	EXPECT_EQ(stats["oauth"]["tokens_issued"], 2);
}

TEST_F(OAuthTest, RevokedRefreshTokenIsInvalidGrantAndMissingClientIsInvalidClient) {
	Reply revoked = Send("POST", "/token",
	                     "grant_type=refresh_token&refresh_token=revoked-1&client_id=a&client_secret=b");
	EXPECT_EQ(revoked.response.status, 400);
	EXPECT_EQ(Json(revoked)["error"], "invalid_grant");
	Reply no_client = Send("POST", "/token", "grant_type=refresh_token&refresh_token=x&client_id=a");
	EXPECT_EQ(no_client.response.status, 401);
	EXPECT_EQ(Json(no_client)["error"], "invalid_client");
	Reply json_body = Send("POST", "/token", "{}", "application/json");
	EXPECT_EQ(json_body.response.status, 400);
	Reply wrong_grant = Send("POST", "/token", "grant_type=password&client_id=a&client_secret=b");
	EXPECT_EQ(Json(wrong_grant)["error"], "unsupported_grant_type");
	EXPECT_EQ(Json(Send("GET", "/__control/stats", ""))["oauth"]["invalid_grant"], 1);
}

TEST_F(OAuthTest, IssuedTokensExpireOnControlAndStaticTokensFollowTheList) {
	ServerOptions options;
	options.platform_tokens["tiktok"] = {"right"};
	options.platform_tokens["linkedin"] = {"static-li"};
	PlatformContext context(options.platform_tokens);
	const std::string issued = context.tokens().Issue("google", 1000);
	EXPECT_TRUE(context.AcceptsToken("google", issued, 2000));
	EXPECT_FALSE(context.AcceptsToken("linkedin", issued, 2000)); // another platform's token
	EXPECT_TRUE(context.AcceptsToken("linkedin", "static-li", 2000));
	EXPECT_FALSE(context.AcceptsToken("google", issued, 1000 + 3600 * 1000));
	context.tokens().ExpireAll(5000);
	EXPECT_FALSE(context.AcceptsToken("google", issued, 5000));
	EXPECT_TRUE(context.AcceptsToken("tiktok", "right", 0));
	EXPECT_FALSE(context.AcceptsToken("tiktok", "wrong", 0));
	EXPECT_TRUE(context.AcceptsToken("snap", "anything", 0)); // none listed: any non-empty token
	EXPECT_FALSE(context.AcceptsToken("snap", "", 0));

	Reply set = Send("POST", "/__control/oauth", R"({"expires_in": 5})", "application/json");
	ASSERT_EQ(set.response.status, 200);
	EXPECT_EQ(Json(Send("POST", "/token", kGrant))["expires_in"], 5);
}

TEST_F(OAuthTest, InjectedFaultAnswersTheTokenRequest) {
	Reply added = Send("POST", "/__control/faults", R"({"platform": "oauth", "status": 503, "count": 1})",
	                   "application/json");
	ASSERT_EQ(added.response.status, 200) << added.response.body;
	EXPECT_EQ(Send("POST", "/token", kGrant).response.status, 503);
	EXPECT_EQ(Send("POST", "/token", kGrant).response.status, 200);
}

} // namespace
} // namespace capi::testserver
