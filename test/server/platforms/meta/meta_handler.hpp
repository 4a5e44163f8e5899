// Meta Conversions API: POST /{vNN.0}/{pixel_id}/events
// (https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api).
//
// Accepts the access token as the access_token query parameter, an "Authorization: Bearer"
// header, a form field or a JSON body field; the body as JSON {"data":[...],"test_event_code":...}
// or form-encoded data=<JSON array>&test_event_code=...; validates every event and rejects the whole
// batch on the first invalid one, with Graph API error bodies.
#pragma once

#include "server/http/padded_buffer.hpp"
#include "server/platforms/meta/graph_error.hpp"
#include "server/platforms/platform_handler.hpp"

#include <string>
#include <unordered_set>
#include <vector>

namespace capi::testserver {

struct MetaOptions {
	std::vector<std::string> tokens; // valid access tokens; empty: any non-empty token is valid
	std::vector<std::string> pixels; // known pixel ids; empty: any all-digit id is known
};

class MetaHandler : public PlatformHandler {
public:
	static constexpr size_t kMaxEventsPerRequest = 1000;

	explicit MetaHandler(const MetaOptions &options);

	const char *name() const override { return "meta"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

private:
	void Reject(HandlerOutcome *outcome, const GraphError &error);
	bool ParseJsonBody(const HttpRequest &request, std::string *token, simdjson::dom::element *data,
	                   HandlerOutcome *outcome);
	bool ParseFormBody(const HttpRequest &request, std::string *token, simdjson::dom::element *data,
	                   HandlerOutcome *outcome);
	bool ParseDataString(std::string_view json, simdjson::dom::parser &parser, simdjson::dom::element *data,
	                     HandlerOutcome *outcome);

	std::unordered_set<std::string> tokens_;
	std::unordered_set<std::string> pixels_;
	simdjson::dom::parser body_parser_;
	simdjson::dom::parser data_parser_; // for "data" given as a JSON string inside a JSON body
	PaddedBuffer decoded_;              // url-decoded or copied "data" text
};

} // namespace capi::testserver
