// The application behind the HTTP layer: routes /__control/ requests to the control API and every
// other request to the platform handler whose path it is, applying the shared fault layer, stats,
// duplicate counting and recording around the handler.
#pragma once

#include "server/app/event_recorder.hpp"
#include "server/app/fault_injector.hpp"
#include "server/app/options.hpp"
#include "server/app/server_stats.hpp"
#include "server/net/request_handler.hpp"
#include "server/platforms/oauth/oauth_endpoint.hpp"
#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

#include <memory>
#include <vector>

namespace capi::testserver {

class Router : public RequestHandler {
public:
	// Opens the record file; throws std::runtime_error on failure.
	explicit Router(const ServerOptions &options);

	void Handle(HttpRequest &request, Reply *reply) override;
	void OnConnectionOpened() override { stats_.ConnectionOpened(); }
	void OnConnectionClosed() override { stats_.ConnectionClosed(); }

private:
	void HandlePlatform(PlatformHandler &handler, HttpRequest &request, Reply *reply);
	void ApplyFault(PlatformHandler &handler, const FaultRule &fault, Reply *reply);
	void HandleControl(HttpRequest &request, Reply *reply);
	void HandleToken(HttpRequest &request, std::string_view platform, Reply *reply);
	// Moves events named by reject_event_id rules out of outcome_: a whole-request error, or, for a
	// platform that answers per event, per-event failures.
	void ApplyRejectedEventIds(PlatformHandler &handler);
	PlatformHandler *FindHandler(std::string_view name);

	PlatformContext context_;
	OAuthEndpoint oauth_;
	std::vector<std::unique_ptr<PlatformHandler>> handlers_;
	HandlerOutcome outcome_;
	FaultInjector faults_;
	ServerStats stats_;
	EventRecorder recorder_;
};

// Wall clock time in milliseconds since the Unix epoch.
int64_t WallClockMs();

} // namespace capi::testserver
