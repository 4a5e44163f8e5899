// Fault rules installed through POST /__control/faults. A rule applies to the next `count`
// platform requests that match its filters; rules are tried in the order they were added and the
// first match is used (and counted down). reject_event_id rules are persistent instead.
// Random faults ({"random": {...}}) hit a share of the requests no rule matched, drawn from a mix of
// kinds (see RandomFaults); every injected fault is counted per kind for GET /__control/stats.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace capi::testserver {

struct FaultRule {
	uint64_t id = 0;
	int remaining = 1;          // "count"
	std::string platform;       // filter: only this platform's requests ("" = any)
	std::string path_prefix;    // filter: only paths starting with this ("" = any)
	int status = 0;             // reply with this HTTP status and a platform-shaped error body
	int retry_after = -1;       // add "Retry-After: <seconds>" (alone it implies status 429)
	std::string error_platform; // set by "<platform>_error" (e.g. "meta_error")
	nlohmann::json error_spec;  // that object, passed to the platform handler
	int delay_ms = 0;           // reply this late
	bool reset = false;         // reset the connection instead of replying
	bool accept_events = false; // process the request normally first (events accepted)
	bool has_body = false;      // "body": reply with this raw text instead of a platform-shaped error
	std::string body;
	bool truncate = false;     // process normally, then cut the reply's body in half
	std::string kind = "rule"; // what /__control/stats counts it as (random faults: their kind)
	uint64_t applied = 0;

	// Whether the rule replaces the reply (rather than only delaying it).
	bool replaces_reply() const { return reset || truncate || status != 0 || !error_platform.empty(); }
	nlohmann::json ToJson() const;
};

// The kinds of random faults. Each is one FaultRule (see MakeRandomFault in the .cpp).
enum class FaultKind {
	kStatus500,     // 500, platform-shaped error, events not accepted
	kStatus503,     // 503
	kRetryAfter429, // 429 with Retry-After
	kTimeout,       // no reply for timeout_ms (longer than the client waits), then a reset
	kResetBefore,   // connection reset, events not accepted
	kResetAfter,    // events accepted, then the connection is reset
	kMalformedJson, // events accepted, 200 with a body that is not JSON
	kTruncatedJson, // events accepted, the platform's reply cut in half
	kSlow,          // events accepted, the reply slow_ms late
	kPlatformError, // the platform's own transient error code (Meta code 2, TikTok 40100, ...)
};
constexpr int kFaultKinds = 10;
const char *FaultKindName(FaultKind kind);

// {"random": {"rate": 0.2, "kinds": ["status_500", ...] or {"status_500": weight, ...},
//  "seed": N, "timeout_ms": N, "slow_ms": N, "retry_after": S, "platform": "meta"}}.
struct RandomFaults {
	double rate = 0; // share of platform requests (not matched by a rule) that get a fault
	std::vector<double> weights = std::vector<double>(kFaultKinds, 1.0); // by FaultKind
	uint64_t seed = 1;
	int timeout_ms = 5000; // kTimeout: how long the connection hangs before the reset
	int slow_ms = 300;     // kSlow: how late the reply comes
	int retry_after = 1;   // kRetryAfter429: Retry-After seconds
	std::string platform;  // only this platform's requests ("" = any)
	nlohmann::json ToJson() const;
};

// Parses a "random" object; throws std::invalid_argument.
RandomFaults ParseRandomFaults(const nlohmann::json &spec);

class FaultInjector {
public:
	// Adds one rule object, an array of them, or {"rules": [...]}. `validate` is called for each
	// parsed rule before any is added and may throw std::invalid_argument. Throws
	// std::invalid_argument for malformed rules (nothing is added then). Returns the number added.
	size_t Add(const nlohmann::json &rules, const std::function<void(const FaultRule &)> &validate);
	void Clear();

	// Finds the first rule matching this request, counts it down and copies it to *rule.
	// Then, if random faults are on, draws whether (and which) this request gets one.
	bool Take(std::string_view platform, std::string_view path, FaultRule *rule);

	void SetRandom(const RandomFaults &random);
	// Counts the events a platform accepted in a request that got a fault (its reply was lost,
	// garbled or late): the client may send them again. Keyed "platform/destination".
	void CountAcceptedUnderFault(std::string_view platform, std::string_view destination, size_t events);
	// {"random": {...} or null, "injected": {kind: n}, "injected_by_platform": {platform: {kind: n}},
	//  "accepted_events_under_fault": {"platform/destination": n}}
	nlohmann::json StatsJson() const;
	void ResetCounts();

	bool has_rejected_event_ids() const { return !rejected_event_ids_.empty(); }
	bool IsRejectedEventId(std::string_view event_id) const;

	nlohmann::json ToJson() const;

private:
	std::vector<FaultRule> rules_;
	std::unordered_set<std::string> rejected_event_ids_;
	uint64_t next_id_ = 1;
	bool random_on_ = false;
	RandomFaults random_;
	std::mt19937_64 generator_;
	std::map<std::string, std::map<std::string, uint64_t, std::less<>>, std::less<>>
	    injected_; // platform -> kind -> n
	std::map<std::string, uint64_t, std::less<>> accepted_under_fault_;
};

} // namespace capi::testserver
