#include "server/app/fault_injector.hpp"

#include <algorithm>
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
	return json;
}

size_t FaultInjector::Add(const nlohmann::json &rules,
                          const std::function<void(const FaultRule &)> &validate) {
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
		return true;
	}
	return false;
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
	return {{"rules", std::move(rules)}, {"reject_event_ids", ids}};
}

} // namespace capi::testserver
