#include "server/app/fault_injector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace capi::testserver {
namespace {

constexpr std::string_view kErrorSuffix = "_error";

int IntField(const nlohmann::json &rule, const char *key, int min, int max) {
	const nlohmann::json &value = rule[key];
	if (!value.is_number_integer() || value.get<int64_t>() < min || value.get<int64_t>() > max) {
		throw std::invalid_argument(std::string("fault rule field \"") + key + "\" must be an integer in [" +
		                            std::to_string(min) + ", " + std::to_string(max) + "]");
	}
	return value.get<int>();
}

std::string StringField(const nlohmann::json &rule, const char *key) {
	const nlohmann::json &value = rule[key];
	if (!value.is_string()) {
		throw std::invalid_argument(std::string("fault rule field \"") + key + "\" must be a string");
	}
	return value.get<std::string>();
}

bool BoolField(const nlohmann::json &rule, const char *key) {
	const nlohmann::json &value = rule[key];
	if (!value.is_boolean()) {
		throw std::invalid_argument(std::string("fault rule field \"") + key + "\" must be a boolean");
	}
	return value.get<bool>();
}

bool EndsWith(std::string_view text, std::string_view suffix) {
	return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

constexpr std::array<const char *, kFaultKinds> kFaultKindNames = {
    "status_500",         "status_503",     "retry_after_429", "timeout", "reset_before_accept",
    "reset_after_accept", "malformed_json", "truncated_json",  "slow",    "platform_error"};

// Each platform's own transient error (the code its documentation says to retry): the reply of a
// kPlatformError fault. {error spec for "<platform>_error", HTTP status (0: the spec's default)}.
struct PlatformTransientError {
	const char *platform;
	const char *spec;
	int status;
};
constexpr std::array<PlatformTransientError, 7> kPlatformTransientErrors = {{
    {"meta", R"({"code": 2, "is_transient": true})", 0}, // 503 "Service temporarily unavailable"
    {"google",
     R"({"status": "RESOURCE_EXHAUSTED", "message": "Resource has been exhausted (e.g. check quota)."})",
     429},
    {"linkedin", R"({"message": "Resource level throttle limit for calls to this resource is reached."})",
     429},
    {"tiktok", R"({"code": 40100})", 0}, // HTTP 200, code 40100: too many requests
    {"snap", R"({"reason": "Internal server error, please retry later", "code": "INTERNAL_ERROR"})", 500},
    {"reddit", R"({"reason": "TOO_MANY_REQUESTS", "explanation": "Too Many Requests"})", 429},
    {"pinterest", R"({"code": 8, "message": "You have exceeded your rate limit. Try again later."})", 429},
}};

FaultRule MakeRandomFault(FaultKind kind, std::string_view platform, const RandomFaults &random) {
	FaultRule rule;
	rule.kind = FaultKindName(kind);
	switch (kind) {
	case FaultKind::kStatus500:
		rule.status = 500;
		break;
	case FaultKind::kStatus503:
		rule.status = 503;
		break;
	case FaultKind::kRetryAfter429:
		rule.status = 429;
		rule.retry_after = random.retry_after;
		break;
	case FaultKind::kTimeout:
		rule.delay_ms = random.timeout_ms;
		rule.reset = true;
		break;
	case FaultKind::kResetBefore:
		rule.reset = true;
		break;
	case FaultKind::kResetAfter:
		rule.reset = true;
		rule.accept_events = true;
		break;
	case FaultKind::kMalformedJson:
		rule.status = 200; // replaced by the platform's own status (accept_events)
		rule.has_body = true;
		rule.body = "{\"events_received\": 1,, <html>";
		rule.accept_events = true;
		break;
	case FaultKind::kTruncatedJson:
		rule.truncate = true;
		rule.accept_events = true;
		break;
	case FaultKind::kSlow:
		rule.delay_ms = random.slow_ms;
		break;
	case FaultKind::kPlatformError:
		for (const PlatformTransientError &error : kPlatformTransientErrors) {
			if (platform == error.platform) {
				rule.error_platform = error.platform;
				rule.error_spec = nlohmann::json::parse(error.spec);
				rule.status = error.status;
				return rule;
			}
		}
		rule.status = 503; // a platform without an entry: its generic transient error
		break;
	}
	return rule;
}

// Parses one rule; reject_event_id(s) go to `rejected_ids` instead of a FaultRule.
bool ParseRule(const nlohmann::json &rule, FaultRule *out, std::vector<std::string> *rejected_ids) {
	if (!rule.is_object()) {
		throw std::invalid_argument("a fault rule must be a JSON object");
	}
	if (rule.contains("reject_event_id") || rule.contains("reject_event_ids")) {
		for (const auto &[key, value] : rule.items()) {
			if (key == "reject_event_id") {
				rejected_ids->push_back(StringField(rule, "reject_event_id"));
			} else if (key == "reject_event_ids") {
				if (!value.is_array()) {
					throw std::invalid_argument("reject_event_ids must be an array of strings");
				}
				for (const nlohmann::json &id : value) {
					if (!id.is_string()) {
						throw std::invalid_argument("reject_event_ids must be an array of strings");
					}
					rejected_ids->push_back(id.get<std::string>());
				}
			} else if (key != "platform" && key != "count") {
				throw std::invalid_argument("reject_event_id rules cannot have \"" + key + "\"");
			}
		}
		return false;
	}
	for (const auto &[key, value] : rule.items()) {
		if (key == "count") {
			out->remaining = IntField(rule, "count", 1, 1000000000);
		} else if (key == "platform") {
			out->platform = StringField(rule, "platform");
		} else if (key == "path_prefix") {
			out->path_prefix = StringField(rule, "path_prefix");
		} else if (key == "status") {
			out->status = IntField(rule, "status", 200, 599);
		} else if (key == "retry_after") {
			out->retry_after = IntField(rule, "retry_after", 0, 86400);
		} else if (key == "delay_ms") {
			out->delay_ms = IntField(rule, "delay_ms", 0, 600000);
		} else if (key == "reset") {
			out->reset = BoolField(rule, "reset");
		} else if (key == "accept_events") {
			out->accept_events = BoolField(rule, "accept_events");
		} else if (key == "body") {
			out->has_body = true;
			out->body = StringField(rule, "body");
		} else if (key == "truncate") {
			out->truncate = BoolField(rule, "truncate");
		} else if (EndsWith(key, kErrorSuffix)) {
			if (!out->error_platform.empty()) {
				throw std::invalid_argument("a fault rule can have only one \"<platform>_error\"");
			}
			out->error_platform = key.substr(0, key.size() - kErrorSuffix.size());
			out->error_spec = value;
		} else {
			throw std::invalid_argument("unknown fault rule field \"" + key + "\"");
		}
	}
	if (!out->error_platform.empty()) {
		if (!out->platform.empty() && out->platform != out->error_platform) {
			throw std::invalid_argument("\"" + out->error_platform + "_error\" conflicts with platform \"" +
			                            out->platform + "\"");
		}
		out->platform = out->error_platform;
	}
	if (out->has_body) {
		if (!out->error_platform.empty() || out->reset) {
			throw std::invalid_argument("\"body\" cannot be combined with \"<platform>_error\" or \"reset\"");
		}
		if (out->status == 0) {
			out->status = 500;
		}
	}
	if (out->truncate) {
		if (out->has_body || out->reset || out->status != 0 || !out->error_platform.empty()) {
			throw std::invalid_argument("\"truncate\" cannot be combined with a reply of the rule's own");
		}
		out->accept_events = true;
	}
	if (out->retry_after >= 0 && out->status == 0 && out->error_platform.empty()) {
		out->status = 429;
	}
	if (!out->replaces_reply() && out->delay_ms == 0) {
		throw std::invalid_argument(
		    "a fault rule needs an action: status, <platform>_error, body, delay_ms, reset, "
		    "retry_after or reject_event_id");
	}
	return true;
}

} // namespace

const char *FaultKindName(FaultKind kind) {
	return kFaultKindNames[static_cast<size_t>(kind)];
}

RandomFaults ParseRandomFaults(const nlohmann::json &spec) {
	if (!spec.is_object()) {
		throw std::invalid_argument("\"random\" must be an object");
	}
	RandomFaults random;
	for (const auto &[key, value] : spec.items()) {
		if (key == "rate") {
			if (!value.is_number() || !(value.get<double>() >= 0.0 && value.get<double>() <= 1.0)) {
				throw std::invalid_argument("random fault \"rate\" must be a number in [0, 1]");
			}
			random.rate = value.get<double>();
		} else if (key == "seed") {
			if (!value.is_number_unsigned()) {
				throw std::invalid_argument("random fault \"seed\" must be a non-negative integer");
			}
			random.seed = value.get<uint64_t>();
		} else if (key == "timeout_ms") {
			random.timeout_ms = IntField(spec, "timeout_ms", 0, 600000);
		} else if (key == "slow_ms") {
			random.slow_ms = IntField(spec, "slow_ms", 0, 600000);
		} else if (key == "retry_after") {
			random.retry_after = IntField(spec, "retry_after", 0, 86400);
		} else if (key == "platform") {
			random.platform = StringField(spec, "platform");
		} else if (key == "kinds") {
			random.weights.assign(kFaultKinds, 0.0);
			auto set_weight = [&](const std::string &name, double weight) {
				auto found = std::find_if(kFaultKindNames.begin(), kFaultKindNames.end(),
				                          [&](const char *known) { return name == known; });
				if (found == kFaultKindNames.end()) {
					throw std::invalid_argument("unknown random fault kind \"" + name + "\"");
				}
				if (!(weight >= 0.0) || !std::isfinite(weight)) {
					throw std::invalid_argument("random fault kind weights must be finite and >= 0");
				}
				random.weights[found - kFaultKindNames.begin()] = weight;
			};
			if (value.is_array()) {
				for (const nlohmann::json &name : value) {
					if (!name.is_string()) {
						throw std::invalid_argument("random fault \"kinds\" must be names or {name: weight}");
					}
					set_weight(name.get<std::string>(), 1.0);
				}
			} else if (value.is_object()) {
				for (const auto &[name, weight] : value.items()) {
					if (!weight.is_number()) {
						throw std::invalid_argument("random fault kind weights must be numbers");
					}
					set_weight(name, weight.get<double>());
				}
			} else {
				throw std::invalid_argument("random fault \"kinds\" must be names or {name: weight}");
			}
			if (std::all_of(random.weights.begin(), random.weights.end(),
			                [](double w) { return w == 0.0; })) {
				throw std::invalid_argument("random fault \"kinds\" needs at least one kind of weight > 0");
			}
		} else {
			throw std::invalid_argument("unknown random fault field \"" + key + "\"");
		}
	}
	return random;
}

nlohmann::json RandomFaults::ToJson() const {
	nlohmann::json kinds = nlohmann::json::object();
	for (int i = 0; i < kFaultKinds; ++i) {
		if (weights[i] > 0) {
			kinds[kFaultKindNames[i]] = weights[i];
		}
	}
	nlohmann::json json = {{"rate", rate},       {"kinds", std::move(kinds)},
	                       {"seed", seed},       {"timeout_ms", timeout_ms},
	                       {"slow_ms", slow_ms}, {"retry_after", retry_after}};
	if (!platform.empty()) {
		json["platform"] = platform;
	}
	return json;
}

nlohmann::json FaultRule::ToJson() const {
	nlohmann::json json = {{"id", id}, {"remaining", remaining}, {"applied", applied}};
	if (!platform.empty()) {
		json["platform"] = platform;
	}
	if (!path_prefix.empty()) {
		json["path_prefix"] = path_prefix;
	}
	if (status != 0) {
		json["status"] = status;
	}
	if (retry_after >= 0) {
		json["retry_after"] = retry_after;
	}
	if (!error_platform.empty()) {
		json[error_platform + "_error"] = error_spec;
	}
	if (delay_ms != 0) {
		json["delay_ms"] = delay_ms;
	}
	if (reset) {
		json["reset"] = true;
	}
	if (accept_events) {
		json["accept_events"] = true;
	}
	if (has_body) {
		json["body"] = body;
	}
	if (truncate) {
		json["truncate"] = true;
	}
	return json;
}

size_t FaultInjector::Add(const nlohmann::json &rules,
                          const std::function<void(const FaultRule &)> &validate) {
	if (rules.is_object() && rules.contains("random")) {
		if (rules.size() != 1) {
			throw std::invalid_argument("\"random\" goes alone in its object");
		}
		SetRandom(ParseRandomFaults(rules["random"]));
		return 1;
	}
	const nlohmann::json *list = &rules;
	if (rules.is_object() && rules.contains("rules")) {
		list = &rules["rules"];
	}
	std::vector<FaultRule> parsed;
	std::vector<std::string> rejected_ids;
	auto parse_one = [&](const nlohmann::json &rule) {
		FaultRule fault;
		if (ParseRule(rule, &fault, &rejected_ids)) {
			validate(fault);
			parsed.push_back(std::move(fault));
		}
	};
	if (list->is_array()) {
		for (const nlohmann::json &rule : *list) {
			parse_one(rule);
		}
	} else {
		parse_one(*list);
	}
	for (FaultRule &rule : parsed) {
		rule.id = next_id_++;
		rules_.push_back(std::move(rule));
	}
	rejected_event_ids_.insert(rejected_ids.begin(), rejected_ids.end());
	return parsed.size() + rejected_ids.size();
}

void FaultInjector::Clear() {
	rules_.clear();
	rejected_event_ids_.clear();
	random_on_ = false;
}

void FaultInjector::SetRandom(const RandomFaults &random) {
	random_ = random;
	random_on_ = random.rate > 0;
	generator_.seed(random.seed);
}

void FaultInjector::CountAcceptedUnderFault(std::string_view platform, std::string_view destination,
                                            size_t events) {
	std::string key(platform);
	key.push_back('/');
	key.append(destination);
	accepted_under_fault_[key] += events;
}

void FaultInjector::ResetCounts() {
	injected_.clear();
	accepted_under_fault_.clear();
}

nlohmann::json FaultInjector::StatsJson() const {
	nlohmann::json injected = nlohmann::json::object();
	nlohmann::json by_platform = nlohmann::json::object();
	for (const auto &[platform, kinds] : injected_) {
		for (const auto &[kind, count] : kinds) {
			injected[kind] = injected.value(kind, uint64_t{0}) + count;
			by_platform[platform][kind] = count;
		}
	}
	return {{"random", random_on_ ? random_.ToJson() : nlohmann::json()},
	        {"injected", std::move(injected)},
	        {"injected_by_platform", std::move(by_platform)},
	        {"accepted_events_under_fault", accepted_under_fault_}};
}

bool FaultInjector::Take(std::string_view platform, std::string_view path, FaultRule *rule) {
	for (auto it = rules_.begin(); it != rules_.end(); ++it) {
		if ((!it->platform.empty() && it->platform != platform) ||
		    path.substr(0, it->path_prefix.size()) != it->path_prefix) {
			continue;
		}
		++it->applied;
		*rule = *it;
		if (--it->remaining <= 0) {
			rules_.erase(it);
		}
		++injected_[std::string(platform)][rule->kind];
		return true;
	}
	if (!random_on_ || (!random_.platform.empty() && random_.platform != platform) || platform == "oauth") {
		return false;
	}
	if (std::uniform_real_distribution<double>(0.0, 1.0)(generator_) >= random_.rate) {
		return false;
	}
	std::discrete_distribution<int> pick(random_.weights.begin(), random_.weights.end());
	*rule = MakeRandomFault(static_cast<FaultKind>(pick(generator_)), platform, random_);
	++injected_[std::string(platform)][rule->kind];
	return true;
}

bool FaultInjector::IsRejectedEventId(std::string_view event_id) const {
	return rejected_event_ids_.count(std::string(event_id)) != 0;
}

nlohmann::json FaultInjector::ToJson() const {
	nlohmann::json rules = nlohmann::json::array();
	for (const FaultRule &rule : rules_) {
		rules.push_back(rule.ToJson());
	}
	std::vector<std::string> ids(rejected_event_ids_.begin(), rejected_event_ids_.end());
	std::sort(ids.begin(), ids.end());
	return {{"rules", std::move(rules)},
	        {"reject_event_ids", ids},
	        {"random", random_on_ ? random_.ToJson() : nlohmann::json()}};
}

} // namespace capi::testserver
