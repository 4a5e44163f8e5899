#include "server/http/http_message.hpp"

namespace capi::testserver {

const std::string *HttpRequest::Header(std::string_view lower_name) const {
	for (const HttpHeader &header : headers) {
		if (header.name == lower_name) {
			return &header.value;
		}
	}
	return nullptr;
}

void HttpRequest::Clear() {
	method.clear();
	target.clear();
	path.clear();
	query.clear();
	headers.clear();
	body.clear();
	keep_alive = true;
}

const char *ReasonPhrase(int status) {
	switch (status) {
	case 100:
		return "Continue";
	case 200:
		return "OK";
	case 201:
		return "Created";
	case 202:
		return "Accepted";
	case 204:
		return "No Content";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Payload Too Large";
	case 415:
		return "Unsupported Media Type";
	case 422:
		return "Unprocessable Entity";
	case 426:
		return "Upgrade Required";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Unknown";
	}
}

void AppendSerializedResponse(const HttpResponse &response, bool close, std::string *out) {
	out->append("HTTP/1.1 ");
	out->append(std::to_string(response.status));
	out->push_back(' ');
	out->append(ReasonPhrase(response.status));
	out->append("\r\n");
	if (!response.content_type.empty()) {
		out->append("Content-Type: ");
		out->append(response.content_type);
		out->append("\r\n");
	}
	for (const auto &[name, value] : response.headers) {
		out->append(name);
		out->append(": ");
		out->append(value);
		out->append("\r\n");
	}
	out->append("Content-Length: ");
	out->append(std::to_string(response.body.size()));
	out->append(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
	out->append(response.body);
}

HttpResponse JsonResponse(int status, std::string body) {
	HttpResponse response;
	response.status = status;
	response.body = std::move(body);
	return response;
}

} // namespace capi::testserver
