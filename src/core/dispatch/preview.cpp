#include "core/dispatch/preview.hpp"

#include <string_view>

#include "core/dispatch/adapter.hpp"
#include "core/http/redact.hpp"

namespace capi::dispatch {
namespace {

// What an OAuth destination's requests carry instead of a token capi.preview never obtains.
constexpr std::string_view kPreviewAccessToken = "[OAUTH ACCESS TOKEN]";

} // namespace

std::string PreviewBody(const Destination &destination, const std::vector<OutboxEvent> &events,
                        std::int64_t now_ms) {
	const PlatformAdapter &adapter = AdapterFor(destination.platform);
	std::vector<const OutboxEvent *> batch;
	batch.reserve(events.size());
	for (const OutboxEvent &event : events)
		batch.push_back(&event);
	HttpRequest request =
	    adapter.BuildRequest(destination, batch, RequestContext{"", kPreviewAccessToken}, now_ms);
	return http::ReplaceSecrets(request.body, request.secrets);
}

} // namespace capi::dispatch
