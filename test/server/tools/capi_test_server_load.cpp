// capi_test_server_load: a small load generator for capi_test_server. Each connection (one thread
// each, blocking sockets, HTTP/1.1 keep-alive) POSTs Meta batches back to back for a fixed time;
// every event gets a unique event_id so the server's duplicate tracking does real work. Prints the
// client-side throughput and the server's own accepted_events count.
//
//   capi_test_server_load --port N [--connections 2] [--seconds 10] [--batch 1000] [--form]
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/socket.h>
#include <sys/uio.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct LoadOptions {
	std::string host = "127.0.0.1";
	int port = 0;
	int connections = 2;
	double seconds = 10;
	int batch = 1000;
	std::string pixel = "1234567890";
	std::string token = "load-token";
	bool form = false;
};

constexpr char kIdPlaceholder[] = "ev-0000000000000000";
constexpr size_t kIdDigits = 16;

const char *kHash1 = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
const char *kHash2 = "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176";
const char *kHash3 = "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec";

std::string EventJson(long now) {
	return std::string("{\"event_name\":\"Purchase\",\"event_time\":") + std::to_string(now) +
	       ",\"event_id\":\"" + kIdPlaceholder +
	       "\",\"action_source\":\"website\",\"event_source_url\":\"https://shop.example.com/checkout/"
	       "thank-you\",\"user_data\":{\"em\":[\"" +
	       kHash1 + "\"],\"ph\":[\"" + kHash2 + "\"],\"external_id\":[\"" + kHash3 +
	       "\"],\"client_ip_address\":\"203.0.113.7\",\"client_user_agent\":\"Mozilla/5.0 (X11; Linux "
	       "x86_64) "
	       "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\",\"fbp\":\"fb.1.1700000000000."
	       "1234567890\"},\"custom_data\":{\"value\":129.9,\"currency\":\"USD\",\"contents\":[{\"id\":\"sku-"
	       "1\","
	       "\"quantity\":1,\"item_price\":129.9}]}}";
}

std::string UrlEncode(const std::string &text) {
	static const char kHex[] = "0123456789ABCDEF";
	std::string out;
	for (unsigned char c : text) {
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			out.push_back(static_cast<char>(c));
		} else {
			out.push_back('%');
			out.push_back(kHex[c >> 4]);
			out.push_back(kHex[c & 15]);
		}
	}
	return out;
}

struct Template {
	std::string headers;
	std::string body;
	std::vector<size_t> id_offsets; // where each event's 16 id digits start in body
};

Template BuildTemplate(const LoadOptions &options) {
	long now = static_cast<long>(time(nullptr));
	std::string data = "[";
	for (int i = 0; i < options.batch; ++i) {
		data += (i == 0 ? "" : ",") + EventJson(now);
	}
	data += "]";
	Template t;
	std::string content_type;
	if (options.form) {
		t.body = "data=" + UrlEncode(data) + "&access_token=" + UrlEncode(options.token);
		content_type = "application/x-www-form-urlencoded";
	} else {
		t.body = "{\"data\":" + data + ",\"access_token\":\"" + options.token + "\"}";
		content_type = "application/json";
	}
	for (size_t at = t.body.find(kIdPlaceholder); at != std::string::npos;
	     at = t.body.find(kIdPlaceholder, at + 1)) {
		t.id_offsets.push_back(at + 3);
	}
	t.headers = "POST /v25.0/" + options.pixel + "/events HTTP/1.1\r\nHost: " + options.host +
	            "\r\nContent-Type: " + content_type + "\r\nContent-Length: " + std::to_string(t.body.size()) +
	            "\r\n\r\n";
	return t;
}

void WriteDigits(char *at, uint64_t value) {
	for (size_t i = kIdDigits; i-- > 0;) {
		at[i] = static_cast<char>('0' + value % 10);
		value /= 10;
	}
}

int Connect(const LoadOptions &options) {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in address = {};
	address.sin_family = AF_INET;
	address.sin_port = htons(static_cast<uint16_t>(options.port));
	inet_pton(AF_INET, options.host.c_str(), &address.sin_addr);
	if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
		std::perror("connect");
		std::exit(1);
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

bool SendAll(int fd, const std::string &a, const std::string &b) {
	iovec parts[2] = {{const_cast<char *>(a.data()), a.size()}, {const_cast<char *>(b.data()), b.size()}};
	size_t total = a.size() + b.size(), sent = 0;
	while (sent < total) {
		ssize_t n = writev(fd, parts, 2);
		if (n <= 0) {
			return false;
		}
		sent += static_cast<size_t>(n);
		for (iovec &part : parts) {
			size_t used = std::min(part.iov_len, static_cast<size_t>(n));
			part.iov_base = static_cast<char *>(part.iov_base) + used;
			part.iov_len -= used;
			n -= static_cast<ssize_t>(used);
		}
	}
	return true;
}

// Reads one response; returns its status (0 on connection failure) and body.
int ReadResponse(int fd, std::string *buffer, std::string *body) {
	size_t header_end;
	while ((header_end = buffer->find("\r\n\r\n")) == std::string::npos) {
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0) {
			return 0;
		}
		buffer->append(chunk, static_cast<size_t>(n));
	}
	int status = std::atoi(buffer->c_str() + 9);
	size_t length_at = buffer->find("Content-Length: ");
	size_t length = length_at < header_end ? std::strtoul(buffer->c_str() + length_at + 16, nullptr, 10) : 0;
	size_t total = header_end + 4 + length;
	while (buffer->size() < total) {
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
		if (n <= 0) {
			return 0;
		}
		buffer->append(chunk, static_cast<size_t>(n));
	}
	body->assign(*buffer, header_end + 4, length);
	buffer->erase(0, total);
	return status;
}

struct Totals {
	std::atomic<uint64_t> requests{0};
	std::atomic<uint64_t> events{0};
	std::atomic<uint64_t> failures{0};
	std::atomic<uint64_t> next_request{0};
};

void RunConnection(const LoadOptions &options, const Template &shared, Totals *totals,
                   std::chrono::steady_clock::time_point deadline) {
	Template t = shared;
	int fd = Connect(options);
	std::string buffer, body;
	std::string expected = "{\"events_received\":" + std::to_string(options.batch) + ",";
	while (std::chrono::steady_clock::now() < deadline) {
		uint64_t request = totals->next_request.fetch_add(1);
		for (size_t i = 0; i < t.id_offsets.size(); ++i) {
			WriteDigits(&t.body[t.id_offsets[i]], request * static_cast<uint64_t>(options.batch) + i);
		}
		if (!SendAll(fd, t.headers, t.body)) {
			std::fprintf(stderr, "send failed: %s\n", std::strerror(errno));
			break;
		}
		int status = ReadResponse(fd, &buffer, &body);
		if (status == 0) {
			std::fprintf(stderr, "connection lost\n");
			break;
		}
		totals->requests++;
		if (status == 200 && body.compare(0, expected.size(), expected) == 0) {
			totals->events += static_cast<uint64_t>(options.batch);
		} else {
			if (totals->failures++ == 0) {
				std::fprintf(stderr, "unexpected reply %d: %s\n", status, body.c_str());
			}
		}
	}
	close(fd);
}

std::string ServerStats(const LoadOptions &options) {
	int fd = Connect(options);
	std::string request = "GET /__control/stats HTTP/1.1\r\nHost: x\r\n\r\n", buffer, body;
	SendAll(fd, request, "");
	ReadResponse(fd, &buffer, &body);
	close(fd);
	return body;
}

uint64_t JsonNumber(const std::string &json, const std::string &key) {
	size_t at = json.find("\"" + key + "\":");
	return at == std::string::npos ? 0 : std::strtoull(json.c_str() + at + key.size() + 3, nullptr, 10);
}

} // namespace

int main(int argc, char **argv) {
	LoadOptions options;
	for (int i = 1; i + 1 < argc || (i < argc && std::strcmp(argv[i], "--form") == 0); ++i) {
		std::string flag = argv[i];
		if (flag == "--form") {
			options.form = true;
			continue;
		}
		const char *value = argv[++i];
		if (flag == "--port") {
			options.port = std::atoi(value);
		} else if (flag == "--host") {
			options.host = value;
		} else if (flag == "--connections") {
			options.connections = std::atoi(value);
		} else if (flag == "--seconds") {
			options.seconds = std::atof(value);
		} else if (flag == "--batch") {
			options.batch = std::atoi(value);
		} else if (flag == "--pixel") {
			options.pixel = value;
		} else if (flag == "--token") {
			options.token = value;
		} else {
			std::fprintf(stderr, "unknown option %s\n", flag.c_str());
			return 2;
		}
	}
	if (options.port <= 0 || options.connections <= 0 || options.batch <= 0 || options.seconds <= 0) {
		std::fprintf(stderr, "usage: capi_test_server_load --port N [--connections 2] [--seconds 10] "
		                     "[--batch 1000] [--pixel ID] [--token T] [--form] [--host 127.0.0.1]\n");
		return 2;
	}
	Template t = BuildTemplate(options);
	std::string stats_before = ServerStats(options);
	uint64_t before = JsonNumber(stats_before, "accepted_events");
	uint64_t cpu_before = JsonNumber(stats_before, "process_cpu_ms");
	Totals totals;
	auto start = std::chrono::steady_clock::now();
	auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
	                            std::chrono::duration<double>(options.seconds));
	std::vector<std::thread> threads;
	for (int i = 0; i < options.connections; ++i) {
		threads.emplace_back(RunConnection, std::cref(options), std::cref(t), &totals, deadline);
	}
	for (std::thread &thread : threads) {
		thread.join();
	}
	double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	std::string stats_after = ServerStats(options);
	uint64_t after = JsonNumber(stats_after, "accepted_events");
	double cpu_seconds = (JsonNumber(stats_after, "process_cpu_ms") - cpu_before) / 1000.0;
	std::printf("body: %zu bytes/request, %.0f bytes/event (%s)\n", t.body.size(),
	            static_cast<double>(t.body.size()) / options.batch, options.form ? "form" : "json");
	std::printf("client: %llu requests, %llu events accepted, %llu failures in %.2f s\n",
	            static_cast<unsigned long long>(totals.requests.load()),
	            static_cast<unsigned long long>(totals.events.load()),
	            static_cast<unsigned long long>(totals.failures.load()), elapsed);
	std::printf("throughput: %.0f events/s, %.1f requests/s, %.1f MB/s of request bodies\n",
	            totals.events.load() / elapsed, totals.requests.load() / elapsed,
	            totals.requests.load() * static_cast<double>(t.body.size()) / elapsed / 1e6);
	std::printf("server: accepted_events grew by %llu using %.2f s of CPU = %.0f events per CPU-second\n",
	            static_cast<unsigned long long>(after - before), cpu_seconds,
	            cpu_seconds > 0 ? (after - before) / cpu_seconds : 0.0);
	return totals.failures.load() == 0 && after - before == totals.events.load() ? 0 : 1;
}
