#include "server/app/router.hpp"

#include "server/http/url_encoding.hpp"
#include "server/platforms/google/google_handler.hpp"
#include "server/platforms/linkedin/linkedin_handler.hpp"
#include "server/platforms/meta/meta_handler.hpp"
#include "server/platforms/snap/snap_handler.hpp"
#include "server/platforms/tiktok/tiktok_handler.hpp"
#include "server/platforms/pinterest/pinterest_handler.hpp"
#include "server/platforms/reddit/reddit_handler.hpp"

#include <algorithm>
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

Router::Router(const ServerOptions &options)
    : context_(options.platform_tokens), oauth_(context_),
      recorder_(options.record_path, options.recent_events) {
	context_.tokens().set_lifetime_s(options.oauth_token_lifetime_s);
	MetaOptions meta;
	meta.tokens = options.meta_tokens;
	meta.pixels = options.meta_pixels;
	handlers_.push_back(std::make_unique<MetaHandler>(meta));
	handlers_.push_back(std::make_unique<GoogleHandler>(context_));
	handlers_.push_back(std::make_unique<LinkedInHandler>(context_));
	handlers_.push_back(std::make_unique<TikTokHandler>(context_));
	handlers_.push_back(std::make_unique<SnapHandler>(context_));
	handlers_.push_back(std::make_unique<PinterestHandler>(context_));
	handlers_.push_back(std::make_unique<RedditHandler>(context_));
	if (options.fault_rate > 0) {
		nlohmann::json random = {{"rate", options.fault_rate}, {"seed", options.fault_seed}};
		if (!options.fault_kinds.empty()) {
			nlohmann::json kinds = nlohmann::json::array();
			for (size_t start = 0; start <= options.fault_kinds.size();) {
				size_t comma = std::min(options.fault_kinds.find(',', start), options.fault_kinds.size());
				kinds.push_back(options.fault_kinds.substr(start, comma - start));
				start = comma + 1;
			}
			random["kinds"] = kinds;
		}
		faults_.SetRandom(ParseRandomFaults(random)); // std::invalid_argument: a bad --fault-kinds
	}
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
	if (std::string_view platform = oauth_.PlatformOf(request); !platform.empty()) {
		HandleToken(request, platform, reply);
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
	counters.CountRequestAt(now_ms);
	FaultRule fault;
	bool faulted = faults_.Take(handler.name(), request.path, &fault);
	if (faulted && fault.replaces_reply() && !fault.accept_events) {
		++counters.faulted_requests;
		ApplyFault(handler, fault, reply);
		return;
	}

	handler.Handle(request, now_ms / 1000, &outcome_);
	if (outcome_.accepted && faults_.has_rejected_event_ids()) {
		ApplyRejectedEventIds(handler);
	}
	if (outcome_.accepted) {
		++counters.accepted_requests;
		counters.rejected_events += outcome_.rejected_events.size();
		if (!outcome_.test_event_code.empty()) {
			// The platform's test or validate mode: checked and answered like the real thing, but not
			// delivered, so not counted as accepted (nor as duplicates of, or batches for, real events).
			counters.test_events += outcome_.events.size();
		} else {
			counters.accepted_events += outcome_.events.size();
			if (faulted) { // the reply may be lost, garbled or late: the client may send these again
				faults_.CountAcceptedUnderFault(handler.name(), outcome_.destination, outcome_.events.size());
			}
			for (const AcceptedEvent &event : outcome_.events) {
				if (stats_.CountEvent(handler.name(), outcome_.destination, event.event_name,
				                      event.event_id)) {
					++counters.duplicate_events;
				}
			}
			stats_.CountBatch(handler.name(), outcome_.destination, outcome_.events.size());
		}
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

void Router::ApplyRejectedEventIds(PlatformHandler &handler) {
	if (!handler.PartialSuccess()) {
		for (size_t i = 0; i < outcome_.events.size(); ++i) {
			std::string_view id = outcome_.events[i].event_id;
			if (faults_.IsRejectedEventId(id)) {
				outcome_.accepted = false;
				outcome_.error = handler.InvalidEventResponse(
				    i, "event_id '" + std::string(id) + "' is rejected by a reject_event_id fault rule");
				return;
			}
		}
		return;
	}
	// Positions in the request: rejected_events already named by the handler keep theirs, and the
	// accepted events fill the others in order.
	std::vector<bool> taken;
	for (const RejectedEvent &rejected : outcome_.rejected_events) {
		if (rejected.index >= taken.size()) {
			taken.resize(rejected.index + 1, false);
		}
		taken[rejected.index] = true;
	}
	std::vector<AcceptedEvent> kept;
	size_t position = 0;
	for (AcceptedEvent &event : outcome_.events) {
		while (position < taken.size() && taken[position]) {
			++position;
		}
		if (faults_.IsRejectedEventId(event.event_id)) {
			outcome_.rejected_events.push_back(
			    RejectedEvent{position, "event_id '" + std::string(event.event_id) +
			                                "' is rejected by a reject_event_id fault rule"});
		} else {
			kept.push_back(event);
		}
		++position;
	}
	outcome_.events = std::move(kept);
	std::sort(outcome_.rejected_events.begin(), outcome_.rejected_events.end(),
	          [](const RejectedEvent &a, const RejectedEvent &b) { return a.index < b.index; });
}

void Router::HandleToken(HttpRequest &request, std::string_view platform, Reply *reply) {
	oauth_.CountRequest();
	FaultRule fault;
	if (faults_.Take("oauth", request.path, &fault)) {
		reply->delay_ms = fault.delay_ms;
		if (fault.reset) {
			reply->reset = true;
			return;
		}
		if (fault.replaces_reply()) {
			reply->response =
			    JsonResponse(fault.status, nlohmann::json({{"error", "temporarily_unavailable"},
			                                               {"error_description", "injected fault"}})
			                                   .dump());
			if (fault.retry_after >= 0) {
				reply->response.headers.emplace_back("Retry-After", std::to_string(fault.retry_after));
			}
			return;
		}
	}
	reply->response = oauth_.Handle(request, platform, WallClockMs());
}

void Router::ApplyFault(PlatformHandler &handler, const FaultRule &fault, Reply *reply) {
	reply->delay_ms = fault.delay_ms;
	if (fault.reset) {
		reply->reset = true;
		return;
	}
	if (fault.truncate) { // the reply the platform gave, cut in half (a connection dropped mid-body)
		reply->response.body.resize(reply->response.body.size() / 2);
		return;
	}
	if (fault.has_body) { // not the platform's shape at all: what another host would answer
		// After accepting, the platform's own status stays (only its body is garbled).
		const int status = fault.accept_events ? reply->response.status : fault.status;
		reply->response = HttpResponse();
		reply->response.status = status;
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
			nlohmann::json stats = stats_.ToJson();
			stats["oauth"] = oauth_.Stats();
			stats["faults"] = faults_.StatsJson();
			reply->response = ControlJson(stats);
		} else if (what == "oauth" && method == "POST") {
			nlohmann::json settings = nlohmann::json::parse(request.body.view());
			if (settings.contains("expires_in")) {
				context_.tokens().set_lifetime_s(settings.at("expires_in").get<int64_t>());
			}
			if (settings.value("expire_all", false)) {
				context_.tokens().ExpireAll(WallClockMs());
			}
			reply->response = ControlJson({{"expires_in", context_.tokens().lifetime_s()}});
		} else if (what == "reset" && method == "POST") {
			stats_.Reset();
			faults_.ResetCounts();
			recorder_.Reset();
			oauth_.Reset();
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
				if (!rule.platform.empty() && rule.platform != "oauth" &&
				    FindHandler(rule.platform) == nullptr) {
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
		           what == "faults" || what == "oauth") {
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
