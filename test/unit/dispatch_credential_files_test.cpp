#include "core/dispatch/credential_files.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/pipeline.hpp"
#include "core/error.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/platforms/meta/meta_adapter.hpp"

namespace capi::dispatch {
namespace {

constexpr const char *kToken = "EAAsecret-from-a-file";

Destination Meta(const std::string &credentials) {
	Destination destination;
	destination.name = "meta-shop";
	destination.platform = identity::Platform::kMeta;
	destination.config_json = R"({"pixel_id": "1234567890"})";
	destination.credentials_json = credentials;
	return destination;
}

// The message of the capi::Error that fn throws ("" when it throws none).
template <typename Fn> std::string ErrorOf(Fn fn) {
	try {
		fn();
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidParameterValue);
		return error.what();
	}
	return "";
}

TEST(CredentialFileName, PlainNamesOnly) {
	EXPECT_EQ(CredentialFileNameProblem("meta_token"), "");
	EXPECT_EQ(CredentialFileNameProblem("meta-shop.token"), "");
	for (const char *bad :
	     {"", "a/b", "/etc/passwd", "..", "../x", "a..b", ".hidden", "sp ace", "tab\t", "é"})
		EXPECT_NE(CredentialFileNameProblem(bad), "") << bad;
	EXPECT_NE(CredentialFileNameProblem(std::string(256, 'a')), "");
	EXPECT_EQ(CredentialFileNameProblem(std::string(255, 'a')), "");
}

TEST(CredentialFileFacts, OwnerModeTypeAndSize) {
	CredentialFileFacts facts{true, 26, 0600, 40};
	EXPECT_EQ(CredentialFileProblem(facts, 26), "");
	facts.mode = 0400;
	EXPECT_EQ(CredentialFileProblem(facts, 26), "");
	facts.mode = 0644;
	EXPECT_EQ(CredentialFileProblem(facts, 26),
	          "the credential file is accessible by group or others (mode 0644; chmod 600 it)");
	facts.mode = 0604;
	EXPECT_NE(CredentialFileProblem(facts, 26).find("mode 0604"), std::string::npos);
	facts.mode = 0610; // even execute-only for the group is refused
	EXPECT_NE(CredentialFileProblem(facts, 26), "");
	facts.mode = 0600;
	EXPECT_NE(CredentialFileProblem(facts, 0).find("not owned"), std::string::npos);
	facts.regular_file = false;
	EXPECT_NE(CredentialFileProblem(facts, 26).find("not a regular file"), std::string::npos);
	facts.regular_file = true;
	facts.size = kMaxCredentialFileBytes + 1;
	EXPECT_NE(CredentialFileProblem(facts, 26).find("larger than"), std::string::npos);
}

TEST(CredentialFileContent, OneTrailingNewlineRemoved) {
	EXPECT_EQ(CredentialFromFileContent("tok\n"), "tok");
	EXPECT_EQ(CredentialFromFileContent("tok\r\n"), "tok");
	EXPECT_EQ(CredentialFromFileContent("tok"), "tok");
	EXPECT_EQ(CredentialFromFileContent(" tok "), " tok "); // spaces are the token's
	for (const char *bad : {"", "\n", "tok\n\n", "a\nb", "tok\r", "t\tok"}) {
		const std::string message = ErrorOf([&] { CredentialFromFileContent(bad); });
		EXPECT_NE(message, "") << bad;
		EXPECT_EQ(message.find("tok"), std::string::npos) << message; // never the content
	}
}

TEST(CredentialFiles, ResolvedFromTheReader) {
	const Destination destination =
	    Meta(R"({"access_token": {"file": "meta_token"}, "app_secret": "inline-secret"})");
	EXPECT_TRUE(HasCredentialFiles(destination));
	std::map<std::string, std::string> read;
	const std::string resolved = ResolveCredentialFiles(destination, [&](const std::string &name) {
		read[name] += "x";
		return std::string(kToken) + "\n";
	});
	EXPECT_EQ(read, (std::map<std::string, std::string>{{"meta_token", "x"}}));
	const nlohmann::json json = nlohmann::json::parse(resolved);
	EXPECT_EQ(json.at("access_token"), kToken);
	EXPECT_EQ(json.at("app_secret"), "inline-secret");
	// The resolved text is what the adapter sees: it validates, and its secrets (redaction) hold the content.
	Destination with_token = destination;
	with_token.credentials_json = resolved;
	EXPECT_NO_THROW(AdapterFor(identity::Platform::kMeta).Validate(with_token));
	const std::vector<std::string> secrets = CredentialSecrets(with_token);
	EXPECT_NE(std::find(secrets.begin(), secrets.end(), kToken), secrets.end());
}

TEST(CredentialFiles, WithoutReferencesUnchanged) {
	const Destination destination = Meta(R"({"access_token": "inline"})");
	EXPECT_FALSE(HasCredentialFiles(destination));
	EXPECT_EQ(ResolveCredentialFiles(destination, [](const std::string &) -> std::string { throw 1; }),
	          destination.credentials_json);
	EXPECT_EQ(CredentialFilesAsPlaceholders(Meta("not json")), "not json");
}

TEST(CredentialFiles, ReaderFailureNamesKeyNeverContent) {
	const Destination destination = Meta(R"({"access_token": {"file": "meta_token"}})");
	const std::string message = ErrorOf([&] {
		ResolveCredentialFiles(destination, [](const std::string &) -> std::string {
			throw Error(sqlstate::kInvalidParameterValue, "the credential file cannot be opened (ENOENT)");
		});
	});
	EXPECT_EQ(
	    message,
	    "destination meta-shop: credentials.access_token: the credential file cannot be opened (ENOENT)");
	const std::string bad_content = ErrorOf([&] {
		ResolveCredentialFiles(destination,
		                       [](const std::string &) { return std::string(kToken) + "\nmore"; });
	});
	EXPECT_NE(bad_content.find("credentials.access_token"), std::string::npos);
	EXPECT_EQ(bad_content.find(kToken), std::string::npos);
}

TEST(CredentialFiles, MalformedReferencesRefused) {
	for (const char *credentials :
	     {R"({"access_token": {"file": "a/b"}})", R"({"access_token": {"file": "../meta_token"}})",
	      R"({"access_token": {"file": 1}})", R"({"access_token": {"file": "t", "mode": "x"}})",
	      R"({"access_token": {"file": ""}})"}) {
		const std::string message = ErrorOf([&] { CredentialFilesAsPlaceholders(Meta(credentials)); });
		EXPECT_NE(message.find("destination meta-shop: credentials.access_token: "), std::string::npos)
		    << credentials << ": " << message;
	}
	// A name that is not plain is never quoted (it could be a token typed in the wrong place).
	const std::string message =
	    ErrorOf([&] { CredentialFilesAsPlaceholders(Meta(R"({"access_token": {"file": "EAA/secret"}})")); });
	EXPECT_EQ(message.find("EAA"), std::string::npos);
}

TEST(CredentialFiles, PlaceholdersPassTheAdaptersChecks) {
	const Destination destination = Meta(R"({"access_token": {"file": "meta_token"}})");
	Destination checked = destination;
	checked.credentials_json = CredentialFilesAsPlaceholders(destination);
	EXPECT_EQ(nlohmann::json::parse(checked.credentials_json).at("access_token"), kCredentialFilePlaceholder);
	EXPECT_NO_THROW(AdapterFor(identity::Platform::kMeta).Validate(checked));
	// Unresolved, the adapter refuses the object (so nothing is ever sent with a reference as token).
	EXPECT_THROW(AdapterFor(identity::Platform::kMeta).Validate(destination), Error);
}

TEST(CredentialFiles, UnavailableCredentialsThrowTheReason) {
	Destination destination = Meta(R"({"access_token": {"file": "meta_token"}})");
	EXPECT_NO_THROW(RequireCredentialsAvailable(destination));
	destination.credentials_unavailable = "destination meta-shop: credentials.access_token: missing";
	EXPECT_EQ(ErrorOf([&] { RequireCredentialsAvailable(destination); }),
	          destination.credentials_unavailable);
}

// The worker's pipeline: a destination whose credential file could not be used pauses with the reason
// and sends nothing; given the file's content (a reload), it resumes and sends with it.
TEST(CredentialFiles, PipelinePausesWhileUnavailableAndResumesWithTheContent) {
	constexpr std::int64_t kNow = 1'780'000'000'000;
	Destination destination = Meta(R"({"access_token": {"file": "meta_token"}})");
	destination.credentials_unavailable =
	    "destination meta-shop: credentials.access_token: the credential file is accessible by group or "
	    "others (mode 0644; chmod 600 it)";
	PipelineSettings settings;
	settings.auth_pause_ms = 60000;
	MetaAdapter adapter;
	DestinationPipeline pipeline(destination, adapter, settings, 7);
	std::vector<OutboxEvent> events(1);
	events[0].outbox_id = 1;
	events[0].event_id = "ev-1";
	events[0].event_name = "Purchase";
	events[0].event_time_ms = kNow - 60000;
	events[0].action_source = "physical_store";
	events[0].user_data_json = outbox::BuildIdentityBag(R"({"email": "a@example.com"})", "US");
	pipeline.AddChunk(1, events, kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	EXPECT_TRUE(pipeline.Paused(kNow));
	EXPECT_EQ(pipeline.pause_reason(), destination.credentials_unavailable);
	EXPECT_EQ(pipeline.pause_cause(), PauseCause::kConfiguration);

	destination.credentials_unavailable.clear();
	destination.credentials_json =
	    ResolveCredentialFiles(destination, [](const std::string &) { return std::string(kToken) + "\n"; });
	pipeline.Update(destination, settings);
	EXPECT_FALSE(pipeline.Paused(kNow));
	EXPECT_EQ(pipeline.pause_cause(), PauseCause::kNone);
	const std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	const std::string sent = requests[0].url + requests[0].body;
	EXPECT_NE(sent.find(kToken), std::string::npos); // the file's content, its newline removed
	EXPECT_EQ(sent.find(std::string(kToken) + "\n"), std::string::npos);
	EXPECT_EQ(sent.find("%0A"), std::string::npos);
}

} // namespace
} // namespace capi::dispatch
