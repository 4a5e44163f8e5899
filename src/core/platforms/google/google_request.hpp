// The two request builders (one per API) and what they share.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/dispatch/adapter.hpp"
#include "core/platforms/google/google_event.hpp"

namespace capi::dispatch {

std::unique_ptr<RequestBuilder> StartDataManagerRequest(const Destination &destination,
                                                        const RequestContext &context);
std::unique_ptr<RequestBuilder> StartAdsRequest(const Destination &destination,
                                                const RequestContext &context);

// The base URL a request goes to: context's override, else the destination's, else default_base.
std::string GoogleBaseUrl(const Destination &destination, std::string_view default_base,
                          std::string_view base_url_override);

// The Authorization header and its secrets: the pipeline's OAuth token, else the static one.
// Throws capi::Error 22023 when there is neither.
void AddGoogleAuthorization(const Destination &destination, const GoogleSettings &settings,
                            const RequestContext &context, HttpRequest *request);

// Appends "key":<double> (the shortest text that reads back as value).
void AppendJsonNumberMember(std::string *out, std::string_view key, double value);
// Appends "key":"value".
void AppendJsonStringMember(std::string *out, std::string_view key, std::string_view value);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
