#include "core/dispatch/preview.hpp"

#include <algorithm>
#include <string_view>

#include "core/dispatch/adapter.hpp"
#include "core/http/redact.hpp"

namespace capi::dispatch {
namespace {

void ReplaceAll(std::string &text, std::string_view secret, std::string_view replacement) {
	for (std::size_t at = text.find(secret); at != std::string::npos;
	     at = text.find(secret, at + replacement.size()))
		text.replace(at, secret.size(), replacement);
}

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
	// Longest first, so that a secret containing another is replaced whole.
	std::vector<std::string> secrets = request.secrets;
	std::sort(secrets.begin(), secrets.end(),
	          [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
	for (const std::string &secret : secrets)
		if (!secret.empty())
			ReplaceAll(request.body, secret, http::kRedacted);
	return request.body;
}

} // namespace capi::dispatch
