#include "server/http/request_reader.hpp"

#include <strings.h>

namespace capi::testserver {
namespace {

RequestReader *Self(http_parser *parser) {
	return static_cast<RequestReader *>(parser->data);
}

void AppendLowercase(std::string *out, const char *at, size_t len) {
	for (size_t i = 0; i < len; ++i) {
		char c = at[i];
		out->push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
	}
}

} // namespace

RequestReader::RequestReader(size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {
	http_parser_init(&parser_, HTTP_REQUEST);
	parser_.data = this;
	http_parser_settings_init(&settings_);
	settings_.on_message_begin = &RequestReader::OnMessageBegin;
	settings_.on_url = &RequestReader::OnUrl;
	settings_.on_header_field = &RequestReader::OnHeaderField;
	settings_.on_header_value = &RequestReader::OnHeaderValue;
	settings_.on_headers_complete = &RequestReader::OnHeadersComplete;
	settings_.on_body = &RequestReader::OnBody;
	settings_.on_message_complete = &RequestReader::OnMessageComplete;
}

RequestReader::Status RequestReader::Feed(const char *data, size_t len, size_t *consumed) {
	*consumed = 0;
	if (error_status_ != 0) {
		return Status::kError;
	}
	if (message_complete_) {
		return Status::kRequestReady;
	}
	size_t parsed = http_parser_execute(&parser_, &settings_, data, len);
	*consumed = parsed;
	http_errno error = HTTP_PARSER_ERRNO(&parser_);
	// An "Upgrade: h2c" request is answered in HTTP/1.1 like any other (RFC 9110 §7.8 lets a server
	// ignore Upgrade), so parser_.upgrade is not looked at.
	if (message_complete_ && error == HPE_PAUSED) {
		return Status::kRequestReady;
	}
	if (error_status_ != 0) {
		return Status::kError;
	}
	if (error != HPE_OK) {
		Fail(error == HPE_HEADER_OVERFLOW ? 431 : 400,
		     std::string("malformed HTTP request: ") + http_errno_description(error));
		return Status::kError;
	}
	return Status::kNeedMore;
}

void RequestReader::NextRequest() {
	request_.Clear();
	request_.body.shrink_if_larger_than(16u << 20);
	message_complete_ = false;
	continue_pending_ = false;
	in_header_value_ = false;
	http_parser_pause(&parser_, 0);
}

bool RequestReader::TakeContinueRequest() {
	bool pending = continue_pending_;
	continue_pending_ = false;
	return pending;
}

void RequestReader::Fail(int status, std::string message) {
	if (error_status_ == 0) {
		error_status_ = status;
		error_message_ = std::move(message);
	}
}

int RequestReader::OnMessageBegin(http_parser *parser) {
	RequestReader *self = Self(parser);
	self->request_.Clear();
	self->in_header_value_ = false;
	return 0;
}

int RequestReader::OnUrl(http_parser *parser, const char *at, size_t len) {
	Self(parser)->request_.target.append(at, len);
	return 0;
}

int RequestReader::OnHeaderField(http_parser *parser, const char *at, size_t len) {
	RequestReader *self = Self(parser);
	if (self->in_header_value_ || self->request_.headers.empty()) {
		self->request_.headers.emplace_back();
		self->in_header_value_ = false;
	}
	AppendLowercase(&self->request_.headers.back().name, at, len);
	return 0;
}

int RequestReader::OnHeaderValue(http_parser *parser, const char *at, size_t len) {
	RequestReader *self = Self(parser);
	self->in_header_value_ = true;
	self->request_.headers.back().value.append(at, len);
	return 0;
}

int RequestReader::OnHeadersComplete(http_parser *parser) {
	return Self(parser)->FinishHeaders();
}

int RequestReader::FinishHeaders() {
	HttpRequest &request = request_;
	request.method = http_method_str(static_cast<http_method>(parser_.method));
	size_t question = request.target.find('?');
	request.path = request.target.substr(0, question);
	if (question != std::string::npos) {
		request.query = request.target.substr(question + 1);
	}
	request.keep_alive = http_should_keep_alive(&parser_) != 0;

	bool chunked = (parser_.flags & F_CHUNKED) != 0;
	bool has_length = (parser_.flags & F_CONTENTLENGTH) != 0;
	if (has_length && parser_.content_length > max_body_bytes_) {
		Fail(413, "request body of " + std::to_string(parser_.content_length) +
		              " bytes exceeds the limit of " + std::to_string(max_body_bytes_));
		return -1;
	}
	if (has_length) {
		request.body.reserve(parser_.content_length);
	}
	const std::string *expect = request.Header("expect");
	if (expect != nullptr && strcasecmp(expect->c_str(), "100-continue") == 0 &&
	    (chunked || (has_length && parser_.content_length > 0))) {
		continue_pending_ = true;
	}
	return 0;
}

int RequestReader::OnBody(http_parser *parser, const char *at, size_t len) {
	RequestReader *self = Self(parser);
	if (self->request_.body.size() + len > self->max_body_bytes_) {
		self->Fail(413,
		           "request body exceeds the limit of " + std::to_string(self->max_body_bytes_) + " bytes");
		return -1;
	}
	// The body has started to arrive: a 100 Continue would come too late to matter.
	self->continue_pending_ = false;
	self->request_.body.append(at, len);
	return 0;
}

int RequestReader::OnMessageComplete(http_parser *parser) {
	RequestReader *self = Self(parser);
	self->message_complete_ = true;
	self->continue_pending_ = false;
	http_parser_pause(parser, 1);
	return 0;
}

} // namespace capi::testserver
