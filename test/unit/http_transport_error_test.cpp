#include "core/http/transport_error.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include "core/http/request.hpp"

namespace capi::http {
namespace {

TEST(TransportError, ClassifiesCurlCodes) {
	EXPECT_EQ(ClassifyCurlCode(CURLE_OK), TransportError::kNone);
	EXPECT_EQ(ClassifyCurlCode(CURLE_COULDNT_CONNECT), TransportError::kConnect);
	EXPECT_EQ(ClassifyCurlCode(CURLE_COULDNT_RESOLVE_HOST), TransportError::kDns);
	EXPECT_EQ(ClassifyCurlCode(CURLE_OPERATION_TIMEDOUT), TransportError::kTimeout);
	EXPECT_EQ(ClassifyCurlCode(CURLE_PEER_FAILED_VERIFICATION), TransportError::kTls);
	EXPECT_EQ(ClassifyCurlCode(CURLE_SSL_CONNECT_ERROR), TransportError::kTls);
	EXPECT_EQ(ClassifyCurlCode(CURLE_SSL_CACERT_BADFILE), TransportError::kTls);
	EXPECT_EQ(ClassifyCurlCode(CURLE_RECV_ERROR), TransportError::kReset);
	EXPECT_EQ(ClassifyCurlCode(CURLE_SEND_ERROR), TransportError::kReset);
	EXPECT_EQ(ClassifyCurlCode(CURLE_GOT_NOTHING), TransportError::kReset);
	EXPECT_EQ(ClassifyCurlCode(CURLE_PARTIAL_FILE), TransportError::kReset);
	EXPECT_EQ(ClassifyCurlCode(CURLE_HTTP2_STREAM), TransportError::kReset);
	EXPECT_EQ(ClassifyCurlCode(CURLE_OUT_OF_MEMORY), TransportError::kOther);
	EXPECT_EQ(ClassifyCurlCode(CURLE_URL_MALFORMAT), TransportError::kOther);
}

TEST(TransportError, Names) {
	EXPECT_EQ(TransportErrorName(TransportError::kNone), "none");
	EXPECT_EQ(TransportErrorName(TransportError::kConnect), "connect");
	EXPECT_EQ(TransportErrorName(TransportError::kDns), "dns");
	EXPECT_EQ(TransportErrorName(TransportError::kTls), "tls");
	EXPECT_EQ(TransportErrorName(TransportError::kTimeout), "timeout");
	EXPECT_EQ(TransportErrorName(TransportError::kReset), "reset");
	EXPECT_EQ(TransportErrorName(TransportError::kOther), "other");
}

Timings MakeTimings(double total, double dns, double connect, double tls, double first_byte) {
	Timings t;
	t.total_ms = total;
	t.dns_ms = dns;
	t.connect_ms = connect;
	t.tls_ms = tls;
	t.first_byte_ms = first_byte;
	return t;
}

TimeoutContext Context(long limit_ms, bool with_tls, bool reused = false, bool tcp_connected = false) {
	TimeoutContext context;
	context.limit_ms = limit_ms;
	context.with_tls = with_tls;
	context.reused = reused;
	context.tcp_connected = tcp_connected;
	return context;
}

TEST(TransportError, DescribesWhereATimeoutHappened) {
	EXPECT_EQ(DescribeTimeout(Context(800, true), MakeTimings(801.2, 0, 0, 0, 0)),
	          "timeout after 801 ms (limit 800 ms): host name not resolved");
	EXPECT_EQ(DescribeTimeout(Context(800, true), MakeTimings(800.4, 73.4, 0, 0, 0)),
	          "timeout after 800 ms (limit 800 ms): resolved in 73.4 ms, not connected");
	EXPECT_EQ(DescribeTimeout(Context(800, true, false, true), MakeTimings(800.4, 73.4, 0, 0, 0)),
	          "timeout after 800 ms (limit 800 ms): resolved in 73.4 ms, TCP connected, TLS handshake not "
	          "finished");
	EXPECT_EQ(DescribeTimeout(Context(800, true), MakeTimings(800, 1, 20.25, 0, 0)),
	          "timeout after 800 ms (limit 800 ms): connected in 20.2 ms, TLS handshake not finished");
	EXPECT_EQ(DescribeTimeout(Context(800, true), MakeTimings(800, 1, 20, 45.5, 0)),
	          "timeout after 800 ms (limit 800 ms): connected in 20.0 ms, TLS in 25.5 ms, no response");
	EXPECT_EQ(DescribeTimeout(Context(300, false), MakeTimings(301, 0.1, 0.3, 0, 0)),
	          "timeout after 301 ms (limit 300 ms): connected in 0.3 ms, no response");
	EXPECT_EQ(DescribeTimeout(Context(300, false), MakeTimings(301, 0.1, 0.3, 0, 120)),
	          "timeout after 301 ms (limit 300 ms): connected in 0.3 ms, response started after 120.0 ms but "
	          "not finished");
	EXPECT_EQ(DescribeTimeout(Context(300, true, true), MakeTimings(300, 0, 0, 0, 0)),
	          "timeout after 300 ms (limit 300 ms): on a reused connection, no response");
}

} // namespace
} // namespace capi::http
