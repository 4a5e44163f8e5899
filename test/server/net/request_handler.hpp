// What the network layer asks of the application: turn one complete request into a reply.
#pragma once

#include "server/http/http_message.hpp"

#include <cstdint>

namespace capi::testserver {

struct Reply {
	HttpResponse response;
	int delay_ms = 0;   // send the reply this late (other connections are served meanwhile)
	bool reset = false; // answer nothing: reset the connection (after delay_ms)
	bool close = false; // add Connection: close and close after sending
};

class RequestHandler {
public:
	virtual ~RequestHandler() = default;
	virtual void Handle(HttpRequest &request, Reply *reply) = 0;
	virtual void OnConnectionOpened() {}
	virtual void OnConnectionClosed() {}
};

} // namespace capi::testserver
