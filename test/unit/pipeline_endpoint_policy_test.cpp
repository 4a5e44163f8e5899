// The endpoint policy where the worker applies it, and what answers from an overridden endpoint may
// say: DestinationPipeline checks capi.allowed_endpoint_hosts before each request (a narrowed setting
// pauses the destination, a widened one resumes it), and MetaAdapter::Classify quotes from a host
// other than Meta's only Graph's error structure and the HTTP status, never a raw body.
#include "core/dispatch/endpoint_policy.hpp"
#include "core/platforms/meta/meta_adapter.hpp"
#include "core/dispatch/pipeline.hpp"
#include "core/outbox/identity_bag_builder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr char kToken[] = "EAAB-endpoint-policy-token-77c1";
constexpr char kLoopback[] = "http://127.0.0.1:8080";
constexpr std::int64_t kNow = 1'780'000'000'000;
constexpr std::uint64_t kSeed = 7;
// A reply that is not Graph's: what a metadata service or an internal page would send.
constexpr char kForeignBody[] = "ami-id\ninstance-id\nsecret-internal-banner";

Destination MetaDestination(const std::string &endpoint) {
	Destination destination;
	destination.name = "policy_meta";
	destination.config_json = R"({"pixel_id": "1234567890"})";
	destination.credentials_json = json{{"access_token", kToken}}.dump();
	destination.endpoint_override = endpoint;
	return destination;
}

std::vector<OutboxEvent> MakeEvents(int count) {
	static const std::string *bag = new std::string(outbox::BuildIdentityBag(
	    R"({"email": "a@example.com", "client_ip_address": "203.0.113.7", "client_user_agent": "M"})", "US"));
	std::vector<OutboxEvent> events(static_cast<std::size_t>(count));
	for (int i = 0; i < count; ++i) {
		OutboxEvent &event = events[static_cast<std::size_t>(i)];
		event.outbox_id = i + 1;
		event.event_id = "ev-" + std::to_string(i);
		event.event_name = "Purchase";
		event.event_time_ms = kNow - 60 * 1000;
		event.action_source = "website";
		event.event_source_url = "https://shop.example/thanks";
		event.user_data_json = *bag;
	}
	return events;
}

http::Response Reply(const http::Request &request, long status, std::string body) {
	http::Response response;
	response.id = request.id;
	response.status = status;
	response.body = std::move(body);
	return response;
}

PipelineSettings Allowing(const std::string &hosts) {
	PipelineSettings settings;
	settings.auth_pause_ms = 60000;
	settings.allowed_endpoint_hosts = hosts;
	return settings;
}

// ---- the worker's check --------------------------------------------------------------------------

TEST(PipelineEndpointPolicy, AnEndpointTheSettingDoesNotAllowPausesWithoutSending) {
	MetaAdapter adapter;
	DestinationPipeline pipeline(MetaDestination(kLoopback), adapter, Allowing(""), kSeed);
	pipeline.AddChunk(1, MakeEvents(3), kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	EXPECT_TRUE(pipeline.Paused(kNow));
	EXPECT_TRUE(pipeline.TakePauseChanged());
	EXPECT_NE(pipeline.pause_reason().find("capi.allowed_endpoint_hosts"), std::string::npos)
	    << pipeline.pause_reason();
	EXPECT_NE(pipeline.pause_reason().find("127.0.0.1:8080"), std::string::npos) << pipeline.pause_reason();
	EXPECT_EQ(pipeline.pause_cause(), PauseCause::kConfiguration);
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "no event fails: the destination is wrong, not them";
	// After the pause, the setting still refuses: paused again, still nothing sent.
	EXPECT_TRUE(pipeline.TakeRequests(kNow + 60000).empty());
	EXPECT_TRUE(pipeline.Paused(kNow + 60000));
}

TEST(PipelineEndpointPolicy, NarrowedSettingPausesAndWidenedResumes) {
	MetaAdapter adapter;
	DestinationPipeline pipeline(MetaDestination(kLoopback), adapter, Allowing("127.0.0.1"), kSeed);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	std::vector<http::Request> sent = pipeline.TakeRequests(kNow);
	ASSERT_EQ(sent.size(), 1u);
	EXPECT_EQ(sent[0].url, "http://127.0.0.1:8080/v25.0/1234567890/events");
	pipeline.OnResponse(Reply(sent[0], 200, R"({"events_received":2,"messages":[]})"), kNow + 10);
	ASSERT_EQ(pipeline.TakeSettled().size(), 1u);

	// A superuser narrows the setting (SIGHUP: the worker calls Update with the new settings).
	pipeline.Update(MetaDestination(kLoopback), Allowing("localhost"));
	pipeline.AddChunk(2, MakeEvents(2), kNow + 20);
	EXPECT_TRUE(pipeline.TakeRequests(kNow + 20).empty());
	EXPECT_TRUE(pipeline.Paused(kNow + 20));
	EXPECT_NE(pipeline.pause_reason().find("capi.allowed_endpoint_hosts"), std::string::npos);

	// ... and widens it again: the pause ends and the held events go.
	pipeline.Update(MetaDestination(kLoopback), Allowing("localhost, 127.0.0.1:8080"));
	EXPECT_FALSE(pipeline.Paused(kNow + 30));
	std::vector<http::Request> resumed = pipeline.TakeRequests(kNow + 30);
	ASSERT_EQ(resumed.size(), 1u);
	pipeline.OnResponse(Reply(resumed[0], 200, R"({"events_received":2,"messages":[]})"), kNow + 40);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_TRUE(settled[0].failed.empty());
}

TEST(PipelineEndpointPolicy, ThePlatformsOwnHostNeedsNoEntry) {
	MetaAdapter adapter;
	for (const char *endpoint : {"", "https://graph.facebook.com"}) {
		DestinationPipeline pipeline(MetaDestination(endpoint), adapter, Allowing(""), kSeed);
		pipeline.AddChunk(1, MakeEvents(1), kNow);
		EXPECT_EQ(pipeline.TakeRequests(kNow).size(), 1u) << endpoint;
		EXPECT_FALSE(pipeline.Paused(kNow)) << endpoint;
	}
}

// ---- no echo -------------------------------------------------------------------------------------

BatchOutcome Classify(const std::string &endpoint, long status, std::string_view body) {
	return MetaAdapter().Classify(MetaDestination(endpoint), 2, status, body, ResponseHeaders{});
}

TEST(ForeignReplies, RawBodiesFromAnOverriddenEndpointAreNotQuoted) {
	for (long status : {200L, 302L, 401L, 404L, 500L}) {
		BatchOutcome outcome = Classify(kLoopback, status, kForeignBody);
		EXPECT_EQ(outcome.message.find("secret-internal-banner"), std::string::npos) << outcome.message;
		EXPECT_EQ(outcome.message.find("ami-id"), std::string::npos) << outcome.message;
		EXPECT_NE(outcome.message.find("HTTP " + std::to_string(status)), std::string::npos)
		    << outcome.message;
		EXPECT_NE(outcome.message.find("(body of " + std::to_string(sizeof kForeignBody - 1) +
		                               " bytes not shown: endpoint override)"),
		          std::string::npos)
		    << outcome.message;
	}
	// JSON that is not Graph's error structure is raw text too.
	BatchOutcome outcome = Classify(kLoopback, 403, R"({"error":{"message":"internal admin page"}})");
	EXPECT_EQ(outcome.message.find("internal admin page"), std::string::npos) << outcome.message;
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	outcome = Classify(kLoopback, 200, R"({"events_received":2,"messages":[{"leak":"internal"}]})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_EQ(outcome.message.find("internal"), std::string::npos) << outcome.message;
}

TEST(ForeignReplies, GraphsErrorStructureIsStillQuoted) {
	const std::string graph_error = json{
	    {"error",
	     {{"message", "Invalid parameter"},
	      {"code", 100},
	      {"error_subcode", 2804003},
	      {"error_user_msg", "Event data[1]: event_time is too old"},
	      {"fbtrace_id", "TraceX"}}}}.dump();
	BatchOutcome outcome = Classify(kLoopback, 400, graph_error);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.message,
	          "HTTP 400: (#100/2804003) Invalid parameter | Event data[1]: event_time is too old");
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>{1});
	EXPECT_EQ(outcome.trace_id, "TraceX");
	outcome = Classify(kLoopback, 401, R"({"error":{"message":"Invalid OAuth access token","code":190}})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(outcome.message, "HTTP 401: (#190) Invalid OAuth access token");
}

TEST(ForeignReplies, MetasOwnHostIsQuotedAsBefore) {
	for (const char *endpoint : {"", "https://graph.facebook.com"}) {
		BatchOutcome outcome = Classify(endpoint, 500, kForeignBody);
		EXPECT_EQ(outcome.message, std::string("HTTP 500: ") + kForeignBody) << endpoint;
		outcome = Classify(endpoint, 403, R"({"error":{"message":"no code"}})");
		EXPECT_NE(outcome.message.find("no code"), std::string::npos) << outcome.message;
	}
}

} // namespace
} // namespace capi::dispatch
