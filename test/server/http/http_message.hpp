// HTTP/1.1 request and response as the server's layers see them, plus response serialization.
#pragma once

#include "server/http/padded_buffer.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capi::testserver {

struct HttpHeader {
	std::string name; // lowercased
	std::string value;
};

struct HttpRequest {
	std::string method; // "POST", "GET", ...
	std::string target; // as received: path plus optional "?query"
	std::string path;   // target before '?'
	std::string query;  // target after '?', still percent-encoded
	std::vector<HttpHeader> headers;
	PaddedBuffer body; // decoded body (chunked transfer coding removed)
	bool keep_alive = true;

	// The value of the first header named `lower_name` (lowercase), or nullptr.
	const std::string *Header(std::string_view lower_name) const;
	void Clear();
};

struct HttpResponse {
	int status = 200;
	std::string content_type = "application/json; charset=UTF-8";
	std::vector<std::pair<std::string, std::string>> headers; // extra headers
	std::string body;
};

// Standard reason phrase for `status` ("OK", "Service Unavailable", ...); "Unknown" otherwise.
const char *ReasonPhrase(int status);

// Appends the status line, headers (Content-Length, Connection: close when `close`) and body.
void AppendSerializedResponse(const HttpResponse &response, bool close, std::string *out);

// A JSON response with the given status and body.
HttpResponse JsonResponse(int status, std::string body);

} // namespace capi::testserver
