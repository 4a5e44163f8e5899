// Incremental HTTP/1.1 request parsing on top of the nodejs http-parser library (libhttp-parser):
// Content-Length and chunked bodies, pipelining (one request at a time: the parser pauses after each
// complete request until the caller asks for the next), keep-alive and `Expect: 100-continue`.
#pragma once

#include "server/http/http_message.hpp"

#include <http_parser.h>

#include <cstddef>
#include <string>

namespace capi::testserver {

class RequestReader {
public:
	enum class Status {
		kNeedMore,     // all bytes consumed, no complete request yet
		kRequestReady, // request() is complete; call NextRequest() after handling it
		kError,        // malformed or too large: answer error_status() and close the connection
	};

	explicit RequestReader(size_t max_body_bytes);
	RequestReader(const RequestReader &) = delete;
	RequestReader &operator=(const RequestReader &) = delete;

	// Parses from `data`; `*consumed` is the number of bytes used (the rest belongs to the next
	// request when kRequestReady is returned).
	Status Feed(const char *data, size_t len, size_t *consumed);

	HttpRequest &request() { return request_; }
	// Forgets the handled request and resumes parsing.
	void NextRequest();

	// True once per request whose headers asked for `100 Continue` while its body has not arrived.
	bool TakeContinueRequest();

	int error_status() const { return error_status_; }
	const std::string &error_message() const { return error_message_; }

private:
	static int OnMessageBegin(http_parser *parser);
	static int OnUrl(http_parser *parser, const char *at, size_t len);
	static int OnHeaderField(http_parser *parser, const char *at, size_t len);
	static int OnHeaderValue(http_parser *parser, const char *at, size_t len);
	static int OnHeadersComplete(http_parser *parser);
	static int OnBody(http_parser *parser, const char *at, size_t len);
	static int OnMessageComplete(http_parser *parser);

	int FinishHeaders();
	void Fail(int status, std::string message);

	http_parser parser_;
	http_parser_settings settings_;
	size_t max_body_bytes_;
	HttpRequest request_;
	bool in_header_value_ = false;
	bool message_complete_ = false;
	bool continue_pending_ = false;
	int error_status_ = 0;
	std::string error_message_;
};

} // namespace capi::testserver
