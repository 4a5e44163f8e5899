#include "server/app/router.hpp"

#include "server/http/url_encoding.hpp"
#include "server/platforms/meta/meta_handler.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace capi::testserver {
namespace {

constexpr std::string_view kControlPrefix = "/__control/";

HttpResponse ControlError(int status, const std::string &message) {
	return JsonResponse(status, nlohmann::json({{"error", message}}).dump());
}

HttpResponse ControlJson(const nlohmann::json &json) {
	return JsonResponse(200, json.dump());
}

} // namespace

int64_t WallClockMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

Router::Router(const ServerOptions &options) : recorder_(options.record_path, options.recent_events) {
	MetaOptions meta;
	meta.tokens = options.meta_tokens;
	meta.pixels = options.meta_pixels;
	handlers_.push_back(std::make_unique<MetaHandler>(meta));
	// Further platforms (Google, TikTok, LinkedIn, Snap, Reddit, Pinterest) are added here.
}

PlatformHandler *Router::FindHandler(std::string_view name) {
	for (auto &handler : handlers_) {
		if (name == handler->name()) {
			return handler.get();
		}
	}
	return nullptr;
}

void Router::Handle(HttpRequest &request, Reply *reply) {
	if (request.path.compare(0, kControlPrefix.size(), kControlPrefix) == 0) {
		stats_.ControlRequest();
		HandleControl(request, reply);
		return;
	}
	for (auto &handler : handlers_) {
		if (handler->Matches(request)) {
			try {
				HandlePlatform(*handler, request, reply);
			} catch (const std::exception &e) {
				// A bug or an I/O failure (e.g. the record file) must not take the server down.
				std::fprintf(stderr, "capi_test_server: %s %s failed: %s\n", request.method.c_str(),
				             request.path.c_str(), e.what());
				*reply = Reply();
				reply->response =
				    ControlError(500, std::string("capi_test_server internal error: ") + e.what());
			}
			return;
		}
	}
	stats_.UnmatchedRequest();
	reply->response = ControlError(404, "no platform handles " + request.method + " " + request.path);
}

void Router::HandlePlatform(PlatformHandler &handler, HttpRequest &request, Reply *reply) {
	int64_t now_ms = WallClockMs();
	PlatformCounters &counters = stats_.Platform(handler.name());
	++counters.requests;
	FaultRule fault;
	bool faulted = faults_.Take(handler.name(), request.path, &fault);
	if (faulted && fault.replaces_reply() && !fault.accept_events) {
		++counters.faulted_requests;
		ApplyFault(handler, fault, reply);
		return;
	}

	handler.Handle(request, now_ms / 1000, &outcome_);
	if (outcome_.accepted && faults_.has_rejected_event_ids()) {
		for (size_t i = 0; i < outcome_.events.size(); ++i) {
			std::string_view id = outcome_.events[i].event_id;
			if (faults_.IsRejectedEventId(id)) {
				outcome_.accepted = false;
				outcome_.error = handler.InvalidEventResponse(
				    i, "event_id '" + std::string(id) + "' is rejected by a reject_event_id fault rule");
				break;
			}
		}
	}
	if (outcome_.accepted) {
		++counters.accepted_requests;
		counters.accepted_events += outcome_.events.size();
		if (!outcome_.test_event_code.empty()) {
			counters.test_events += outcome_.events.size();
		}
		for (const AcceptedEvent &event : outcome_.events) {
			if (stats_.CountEvent(handler.name(), outcome_.destination, event.event_name, event.event_id)) {
				++counters.duplicate_events;
			}
		}
		stats_.CountBatch(handler.name(), outcome_.destination, outcome_.events.size());
		recorder_.Record(handler.name(), outcome_, now_ms);
		reply->response = handler.SuccessResponse(outcome_);
	} else {
		++counters.rejected_requests;
		reply->response = std::move(outcome_.error);
	}

	if (faulted) {
		if (fault.replaces_reply()) {
			++counters.faulted_requests;
			ApplyFault(handler, fault, reply);
		} else {
			reply->delay_ms = fault.delay_ms;
		}
	}
}

void Router::ApplyFault(PlatformHandler &handler, const FaultRule &fault, Reply *reply) {
	reply->delay_ms = fault.delay_ms;
	if (fault.reset) {
		reply->reset = true;
		return;
	}
	if (fault.has_body) { // not the platform's shape at all: what another host would answer
		reply->response = HttpResponse();
		reply->response.status = fault.status;
		reply->response.content_type = "text/plain; charset=UTF-8";
		reply->response.body = fault.body;
	} else {
		reply->response = fault.error_platform.empty() ? handler.StatusFault(fault.status)
		                                               : handler.ErrorFault(fault.error_spec, fault.status);
	}
	if (fault.retry_after >= 0) {
		reply->response.headers.emplace_back("Retry-After", std::to_string(fault.retry_after));
	}
}

void Router::HandleControl(HttpRequest &request, Reply *reply) {
	std::string_view what = std::string_view(request.path).substr(kControlPrefix.size());
	const std::string &method = request.method;
	try {
		if (what == "health" && method == "GET") {
			nlohmann::json platforms = nlohmann::json::array();
			for (auto &handler : handlers_) {
				platforms.push_back(handler->name());
			}
			reply->response = ControlJson({{"status", "ok"}, {"platforms", platforms}});
		} else if (what == "stats" && method == "GET") {
			reply->response = ControlJson(stats_.ToJson());
		} else if (what == "reset" && method == "POST") {
			stats_.Reset();
			recorder_.Reset();
			reply->response = ControlJson({{"reset", true}});
		} else if (what == "events" && method == "GET") {
			size_t limit = 100;
			std::string_view raw;
			if (FindFormParam(request.query, "limit", &raw)) {
				limit = std::strtoul(std::string(raw).c_str(), nullptr, 10);
			}
			reply->response = ControlJson({{"events", recorder_.Recent(limit)}});
		} else if (what == "faults" && method == "GET") {
			reply->response = ControlJson(faults_.ToJson());
		} else if (what == "faults" && method == "DELETE") {
			faults_.Clear();
			reply->response = ControlJson(faults_.ToJson());
		} else if (what == "faults" && method == "POST") {
			nlohmann::json rules = nlohmann::json::parse(request.body.view());
			size_t added = faults_.Add(rules, [this](const FaultRule &rule) {
				if (!rule.platform.empty() && FindHandler(rule.platform) == nullptr) {
					throw std::invalid_argument("unknown platform \"" + rule.platform + "\"");
				}
				if (!rule.error_platform.empty()) {
					FindHandler(rule.error_platform)->ErrorFault(rule.error_spec, rule.status);
				}
			});
			nlohmann::json json = faults_.ToJson();
			json["added"] = added;
			reply->response = ControlJson(json);
		} else if (what == "health" || what == "stats" || what == "reset" || what == "events" ||
		           what == "faults") {
			reply->response = ControlError(405, method + " is not allowed on " + request.path);
		} else {
			reply->response = ControlError(404, "unknown control path " + request.path);
		}
	} catch (const nlohmann::json::exception &e) {
		reply->response = ControlError(400, std::string("invalid JSON: ") + e.what());
	} catch (const std::invalid_argument &e) {
		reply->response = ControlError(400, e.what());
	}
}

} // namespace capi::testserver
