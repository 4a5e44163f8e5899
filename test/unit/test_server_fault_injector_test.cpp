// The test server's random faults (FaultInjector with {"random": ...}): drawn at the configured
// rate, from the configured kinds, after the count rules, and counted per kind.
#include "server/app/fault_injector.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace capi::testserver {
namespace {

void NoValidation(const FaultRule &) {}

TEST(RandomFaults, HitTheConfiguredShareWithEveryKind) {
	FaultInjector faults;
	faults.Add(nlohmann::json::parse(R"({"random": {"rate": 0.2, "seed": 7}})"), NoValidation);
	int hits = 0;
	for (int i = 0; i < 20000; ++i) {
		FaultRule rule;
		hits += faults.Take("meta", "/v25.0/1/events", &rule) ? 1 : 0;
	}
	EXPECT_GT(hits, 3600);
	EXPECT_LT(hits, 4400);
	const nlohmann::json stats = faults.StatsJson();
	uint64_t counted = 0;
	for (int kind = 0; kind < kFaultKinds; ++kind) {
		const char *name = FaultKindName(static_cast<FaultKind>(kind));
		ASSERT_TRUE(stats["injected"].contains(name)) << name;
		EXPECT_GT(stats["injected"][name].get<uint64_t>(), 200u) << name;
		counted += stats["injected"][name].get<uint64_t>();
	}
	EXPECT_EQ(counted, static_cast<uint64_t>(hits));
	EXPECT_EQ(stats["injected_by_platform"]["meta"]["timeout"], stats["injected"]["timeout"]);
}

TEST(RandomFaults, EachKindIsTheRuleItNames) {
	auto only = [](const char *kind, const char *platform) {
		FaultInjector faults;
		faults.Add({{"random", {{"rate", 1.0}, {"kinds", {kind}}, {"timeout_ms", 3000}, {"slow_ms", 250}}}},
		           NoValidation);
		FaultRule rule;
		EXPECT_TRUE(faults.Take(platform, "/x", &rule)) << kind;
		EXPECT_EQ(rule.kind, kind);
		return rule;
	};
	EXPECT_EQ(only("status_503", "meta").status, 503);
	FaultRule limited = only("retry_after_429", "meta");
	EXPECT_EQ(limited.status, 429);
	EXPECT_EQ(limited.retry_after, 1);
	FaultRule timeout = only("timeout", "meta");
	EXPECT_TRUE(timeout.reset);
	EXPECT_EQ(timeout.delay_ms, 3000);
	EXPECT_FALSE(timeout.accept_events);
	EXPECT_FALSE(only("reset_before_accept", "meta").accept_events);
	FaultRule after = only("reset_after_accept", "meta");
	EXPECT_TRUE(after.reset && after.accept_events);
	FaultRule malformed = only("malformed_json", "meta");
	EXPECT_TRUE(malformed.has_body && malformed.accept_events);
	EXPECT_FALSE(nlohmann::json::accept(malformed.body));
	FaultRule truncated = only("truncated_json", "meta");
	EXPECT_TRUE(truncated.truncate && truncated.accept_events);
	FaultRule slow = only("slow", "meta");
	EXPECT_EQ(slow.delay_ms, 250);
	EXPECT_FALSE(slow.replaces_reply());
	for (const char *platform : {"meta", "google", "linkedin", "tiktok", "snap", "reddit", "pinterest"}) {
		EXPECT_EQ(only("platform_error", platform).error_platform, platform);
	}
}

TEST(RandomFaults, RulesComeFirstAndDeleteStopsThem) {
	FaultInjector faults;
	faults.Add(nlohmann::json::parse(R"({"status": 500, "count": 1})"), NoValidation);
	faults.Add(nlohmann::json::parse(R"({"random": {"rate": 1, "kinds": {"slow": 1}}})"), NoValidation);
	FaultRule rule;
	ASSERT_TRUE(faults.Take("meta", "/x", &rule));
	EXPECT_EQ(rule.kind, "rule");
	ASSERT_TRUE(faults.Take("meta", "/x", &rule));
	EXPECT_EQ(rule.kind, "slow");
	EXPECT_FALSE(faults.Take("oauth", "/token", &rule)); // token endpoints are never faulted at random
	faults.Clear();
	EXPECT_FALSE(faults.Take("meta", "/x", &rule));
	EXPECT_EQ(faults.StatsJson()["injected"]["slow"], 1);
	faults.ResetCounts();
	EXPECT_TRUE(faults.StatsJson()["injected"].empty());
}

TEST(RandomFaults, MalformedSettingsAreRefused) {
	FaultInjector faults;
	for (const char *bad :
	     {R"({"random": {"rate": 1.5}})", R"({"random": {"rate": 0.1, "kinds": ["nope"]}})",
	      R"({"random": {"rate": 0.1, "kinds": {"slow": 0}}})", R"({"random": {"colour": 1}})",
	      R"({"random": {"rate": 0.1}, "status": 500})", R"({"random": 3})"}) {
		EXPECT_THROW(faults.Add(nlohmann::json::parse(bad), NoValidation), std::invalid_argument) << bad;
	}
	EXPECT_TRUE(faults.StatsJson()["random"].is_null());
}

} // namespace
} // namespace capi::testserver
