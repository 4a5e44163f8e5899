// Fault rules installed through POST /__control/faults. A rule applies to the next `count`
// platform requests that match its filters; rules are tried in the order they were added and the
// first match is used (and counted down). reject_event_id rules are persistent instead.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
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
	uint64_t applied = 0;

	// Whether the rule replaces the reply (rather than only delaying it).
	bool replaces_reply() const { return reset || status != 0 || !error_platform.empty(); }
	nlohmann::json ToJson() const;
};

class FaultInjector {
public:
	// Adds one rule object, an array of them, or {"rules": [...]}. `validate` is called for each
	// parsed rule before any is added and may throw std::invalid_argument. Throws
	// std::invalid_argument for malformed rules (nothing is added then). Returns the number added.
	size_t Add(const nlohmann::json &rules, const std::function<void(const FaultRule &)> &validate);
	void Clear();

	// Finds the first rule matching this request, counts it down and copies it to *rule.
	bool Take(std::string_view platform, std::string_view path, FaultRule *rule);

	bool has_rejected_event_ids() const { return !rejected_event_ids_.empty(); }
	bool IsRejectedEventId(std::string_view event_id) const;

	nlohmann::json ToJson() const;

private:
	std::vector<FaultRule> rules_;
	std::unordered_set<std::string> rejected_event_ids_;
	uint64_t next_id_ = 1;
};

} // namespace capi::testserver
