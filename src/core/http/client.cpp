#include "core/http/client.hpp"

#include <curl/curl.h>
#include <poll.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <map>
#include <unordered_map>
#include <utility>

#include "core/error.hpp"
#include "core/http/redact.hpp"
#include "core/http/retry_after.hpp"
#include "core/http/signal_block.hpp"
#include "core/http/url.hpp"

// CURLOPT_PROTOCOLS_STR needs 7.85, CURLOPT_QUICK_EXIT 7.87; Debian 12 ships 7.88.1.
static_assert(LIBCURL_VERSION_NUM >= 0x075700, "pg_capi needs libcurl 7.87 or later");

namespace capi::http {
namespace {

using Clock = std::chrono::steady_clock;

// curl_global_init is not called at library load (the library is loaded into the postmaster),
// but by the first Client. A function-local static bool: nothing to destroy at exit.
bool CurlGlobalInit() {
	static const bool ok = [] {
		SignalBlock block;
		return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
	}();
	return ok;
}

bool LibcurlHasHttp2() {
	const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
	return info != nullptr && (info->features & CURL_VERSION_HTTP2) != 0;
}

double Milliseconds(curl_off_t microseconds) {
	return static_cast<double>(microseconds) / 1000.0;
}

std::string HttpVersionName(long version) {
	switch (version) {
	case CURL_HTTP_VERSION_1_0:
		return "HTTP/1.0";
	case CURL_HTTP_VERSION_1_1:
		return "HTTP/1.1";
	case CURL_HTTP_VERSION_2_0:
		return "HTTP/2";
	case CURL_HTTP_VERSION_3:
		return "HTTP/3";
	default:
		return {};
	}
}

bool StartsWithHttps(const std::string &url) {
	static constexpr char kHttps[] = "https:";
	if (url.size() < sizeof kHttps - 1)
		return false;
	for (std::size_t i = 0; i + 1 < sizeof kHttps; i++) {
		char c = url[i] >= 'A' && url[i] <= 'Z' ? static_cast<char>(url[i] - 'A' + 'a') : url[i];
		if (c != kHttps[i])
			return false;
	}
	return true;
}

// A header line the client accepts: "Name: value", one line.
bool IsValidHeaderLine(const std::string &line) {
	std::size_t colon = line.find(':');
	if (colon == 0 || colon == std::string::npos)
		return false;
	for (char c : line) {
		if (c == '\r' || c == '\n' || c == '\0')
			return false;
	}
	for (std::size_t i = 0; i < colon; i++) {
		if (line[i] == ' ' || line[i] == '\t')
			return false;
	}
	return true;
}

// One request from Submit until its Response.
struct Transfer {
	Request request;
	long timeout_ms = 0;
	Redactor redactor;
	CURL *easy = nullptr;
	curl_slist *headers = nullptr;
	std::string body;
	bool body_truncated = false;
	std::size_t max_body = 0;
	int last_wait = 0; // the last CURL_POLL_* libcurl asked for on this transfer's behalf
	char error[CURL_ERROR_SIZE] = {};

	Transfer() = default;
	Transfer(const Transfer &) = delete;
	Transfer &operator=(const Transfer &) = delete;
	~Transfer() { curl_slist_free_all(headers); }
};

// CURLOPT_WRITEFUNCTION: keeps the first max_body bytes, reads and discards the rest.
size_t OnBodyData(char *data, size_t size, size_t count, void *user) {
	auto *transfer = static_cast<Transfer *>(user);
	size_t bytes = size * count;
	size_t room = transfer->body.size() < transfer->max_body ? transfer->max_body - transfer->body.size() : 0;
	try {
		transfer->body.append(data, bytes < room ? bytes : room);
	} catch (...) {
		return CURL_WRITEFUNC_ERROR; // no exception may cross libcurl's C frames
	}
	if (bytes > room)
		transfer->body_truncated = true;
	return bytes;
}

// Collects the first failing curl_easy_setopt.
class Options {
public:
	explicit Options(CURL *easy) : easy_(easy) {}
	template <typename T> Options &Set(CURLoption option, T value) {
		if (result_ == CURLE_OK)
			result_ = curl_easy_setopt(easy_, option, value);
		return *this;
	}
	CURLcode result() const { return result_; }

private:
	CURL *easy_;
	CURLcode result_ = CURLE_OK;
};

} // namespace

struct Client::Impl {
	ClientOptions options;
	std::string user_agent;
	bool http2 = false;
	CURLM *multi = nullptr;
	CURLSH *share = nullptr;
	std::vector<CURL *> idle; // reset easy handles kept for reuse, at most max_concurrent
	std::deque<std::unique_ptr<Transfer>> queue;
	std::unordered_map<CURL *, std::unique_ptr<Transfer>> running;
	std::vector<Response> completed;
	std::map<int, int> watches; // fd -> CURL_POLL_IN / OUT / INOUT
	std::uint64_t watches_version = 0;
	bool has_deadline = false;
	Clock::time_point deadline;
	ClientStats stats;

	Impl() = default;
	Impl(const Impl &) = delete;
	Impl &operator=(const Impl &) = delete;

	~Impl() {
		DropAll();
		for (CURL *easy : idle)
			curl_easy_cleanup(easy);
		if (multi != nullptr)
			curl_multi_cleanup(multi);
		if (share != nullptr)
			curl_share_cleanup(share);
	}

	static int OnCurlSocket(CURL *easy, curl_socket_t fd, int what, void *user, void *) {
		auto *self = static_cast<Impl *>(user);
		char *transfer = nullptr;
		if (what != CURL_POLL_REMOVE && curl_easy_getinfo(easy, CURLINFO_PRIVATE, &transfer) == CURLE_OK &&
		    transfer != nullptr)
			reinterpret_cast<Transfer *>(transfer)->last_wait = what;
		try {
			if (what == CURL_POLL_REMOVE)
				self->watches.erase(fd);
			else
				self->watches[fd] = what;
		} catch (...) {
			return -1;
		}
		self->watches_version++;
		return 0;
	}

	static int OnCurlTimer(CURLM *, long timeout_ms, void *user) {
		static_cast<Impl *>(user)->SetTimer(timeout_ms);
		return 0;
	}

	void SetTimer(long timeout_ms) {
		has_deadline = timeout_ms >= 0;
		if (has_deadline)
			deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
	}

	CURL *AcquireEasy() {
		if (!idle.empty()) {
			CURL *easy = idle.back();
			idle.pop_back();
			return easy;
		}
		return curl_easy_init();
	}

	void ReleaseEasy(CURL *easy) {
		if (idle.size() < options.max_concurrent) {
			curl_easy_reset(easy);
			idle.push_back(easy); // capacity reserved in the constructor: no allocation
		} else {
			curl_easy_cleanup(easy);
		}
	}

	CURLcode Configure(Transfer &t) {
		const Request &r = t.request;
		for (const std::string &header : r.headers) {
			curl_slist *grown = curl_slist_append(t.headers, header.c_str());
			if (grown == nullptr)
				return CURLE_OUT_OF_MEMORY;
			t.headers = grown;
		}
		// No "Expect: 100-continue" round trip before large bodies.
		curl_slist *grown = curl_slist_append(t.headers, "Expect:");
		if (grown == nullptr)
			return CURLE_OUT_OF_MEMORY;
		t.headers = grown;

		Options o(t.easy);
		o.Set(CURLOPT_URL, r.url.c_str())
		    .Set(CURLOPT_PRIVATE, static_cast<void *>(&t))
		    .Set(CURLOPT_ERRORBUFFER, t.error)
		    .Set(CURLOPT_NOSIGNAL, 1L)
		    .Set(CURLOPT_QUICK_EXIT, 1L) // never wait for a resolver thread when a transfer is dropped
		    .Set(CURLOPT_PROTOCOLS_STR, "http,https")
		    .Set(CURLOPT_REDIR_PROTOCOLS_STR, "https")
		    .Set(CURLOPT_FOLLOWLOCATION, 0L)
		    .Set(CURLOPT_SSL_VERIFYPEER, 1L)
		    .Set(CURLOPT_SSL_VERIFYHOST, 2L)
		    .Set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2))
		    .Set(CURLOPT_HTTP_VERSION,
		         http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS) : static_cast<long>(CURL_HTTP_VERSION_1_1))
		    // Over TLS, wait for a connection being set up to learn whether it multiplexes (HTTP/2)
		    // rather than open another one to the same host. Not for http://, which is never
		    // HTTP/2 here: libcurl would hold the transfer back until the first response arrives.
		    .Set(CURLOPT_PIPEWAIT, http2 && StartsWithHttps(r.url) ? 1L : 0L)
		    .Set(CURLOPT_SHARE, share)
		    .Set(CURLOPT_TCP_KEEPALIVE, 1L)
		    .Set(CURLOPT_CONNECTTIMEOUT_MS, options.connect_timeout_ms)
		    .Set(CURLOPT_TIMEOUT_MS, t.timeout_ms)
		    .Set(CURLOPT_USERAGENT, user_agent.c_str())
		    .Set(CURLOPT_HTTPHEADER, t.headers)
		    .Set(CURLOPT_WRITEFUNCTION, &OnBodyData)
		    .Set(CURLOPT_WRITEDATA, static_cast<void *>(&t));
		if (!options.ca_file.empty())
			o.Set(CURLOPT_CAINFO, options.ca_file.c_str());
		if (r.method == Method::kPost) {
			o.Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()))
			    .Set(CURLOPT_POSTFIELDS, r.body.c_str());
		} else {
			o.Set(CURLOPT_HTTPGET, 1L);
		}
		return o.result();
	}

	// Starts t now. Returns an error message (empty on success); t is dropped on failure.
	std::string Start(std::unique_ptr<Transfer> t) {
		t->max_body = options.max_body_bytes;
		t->easy = AcquireEasy();
		if (t->easy == nullptr)
			return "libcurl could not create a transfer handle";
		CURL *easy = t->easy;
		CURLcode rc = Configure(*t);
		if (rc != CURLE_OK) {
			ReleaseEasy(easy);
			return std::string("could not configure the transfer: ") + curl_easy_strerror(rc);
		}
		running.emplace(easy, std::move(t));
		CURLMcode mc;
		{
			SignalBlock block;
			mc = curl_multi_add_handle(multi, easy);
		}
		if (mc != CURLM_OK) {
			running.erase(easy);
			ReleaseEasy(easy);
			return std::string("could not start the transfer: ") + curl_multi_strerror(mc);
		}
		return {};
	}

	void StartQueued() {
		while (!queue.empty() && running.size() < options.max_concurrent) {
			std::unique_ptr<Transfer> t = std::move(queue.front());
			queue.pop_front();
			Response failed;
			failed.id = t->request.id;
			failed.error_text = Start(std::move(t));
			if (!failed.error_text.empty()) {
				failed.error = TransportError::kOther;
				completed.push_back(std::move(failed));
				stats.completed++;
			}
		}
	}

	Response Finish(Transfer &t, CURLcode code) {
		CURL *easy = t.easy;
		Response r;
		r.id = t.request.id;
		r.curl_code = static_cast<int>(code);
		r.error = ClassifyCurlCode(code);
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
		long version = 0;
		curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
		if (r.status > 0)
			r.http_version = HttpVersionName(version);

		curl_off_t total = 0, dns = 0, connect = 0, tls = 0, first_byte = 0;
		curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
		curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
		curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
		curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &tls);
		curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &first_byte);
		r.timings.total_ms = Milliseconds(total);
		r.timings.dns_ms = Milliseconds(dns);
		r.timings.connect_ms = Milliseconds(connect);
		r.timings.tls_ms = Milliseconds(tls);
		r.timings.first_byte_ms = Milliseconds(first_byte);

		// A transfer that got as far as sending its request without opening a connection reused one.
		long new_connections = 0;
		curl_off_t pretransfer = 0;
		curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &new_connections);
		curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer);
		r.reused_connection = new_connections == 0 && pretransfer > 0;
		stats.new_connections += static_cast<std::uint64_t>(new_connections);
		if (r.reused_connection)
			stats.reused_connections++;

		if (r.status > 0) {
			curl_header *header = nullptr;
			if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &header) == CURLHE_OK)
				r.retry_after_seconds = ParseRetryAfter(header->value, std::time(nullptr));
			for (const std::string &name : options.request_id_headers) {
				if (curl_easy_header(easy, name.c_str(), 0, CURLH_HEADER, -1, &header) == CURLHE_OK) {
					r.request_id_header = name;
					r.request_id = header->value;
					break;
				}
			}
		}

		r.body = std::move(t.body);
		r.body_truncated = t.body_truncated;

		if (code != CURLE_OK) {
			std::string detail = t.error[0] != '\0' ? t.error : curl_easy_strerror(code);
			std::string text;
			if (r.error == TransportError::kTimeout) {
				TimeoutContext context;
				bool connected = connect > 0 || r.reused_connection;
				context.limit_ms = !connected && options.connect_timeout_ms < t.timeout_ms
				                       ? options.connect_timeout_ms
				                       : t.timeout_ms;
				context.with_tls = StartsWithHttps(t.request.url);
				context.reused = r.reused_connection;
				// Once resolved, libcurl waits for writability while TCP connects and for
				// readability afterwards (the TLS handshake).
				context.tcp_connected = dns > 0 && (t.last_wait & CURL_POLL_IN) != 0;
				text = DescribeTimeout(context, r.timings) + " (" + detail + ")";
			} else {
				text = std::string(TransportErrorName(r.error)) + ": " + detail;
			}
			text += t.request.method == Method::kPost ? " [POST " : " [GET ";
			text += t.request.url + "]";
			r.error_text = t.redactor.Apply(text);
		}
		return r;
	}

	void Harvest() {
		int left = 0;
		while (CURLMsg *message = curl_multi_info_read(multi, &left)) {
			if (message->msg != CURLMSG_DONE)
				continue;
			CURL *easy = message->easy_handle;
			CURLcode code = message->data.result; // message is invalid after remove_handle
			auto it = running.find(easy);
			if (it == running.end())
				continue;
			completed.push_back(Finish(*it->second, code));
			stats.completed++;
			curl_multi_remove_handle(multi, easy);
			ReleaseEasy(easy);
			running.erase(it);
		}
	}

	void Act(curl_socket_t fd, int mask) {
		int still_running = 0;
		{
			SignalBlock block;
			curl_multi_socket_action(multi, fd, mask, &still_running);
		}
		Harvest();
		StartQueued();
	}

	// Removes every transfer from the multi handle; returns how many there were.
	std::size_t DropAll() {
		std::size_t dropped = running.size() + queue.size();
		for (auto &entry : running) {
			{
				SignalBlock block;
				curl_multi_remove_handle(multi, entry.first);
			}
			ReleaseEasy(entry.first);
		}
		running.clear();
		queue.clear();
		return dropped;
	}
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>()) {
	if (options.max_concurrent == 0)
		throw Error(sqlstate::kInvalidParameterValue, "max_concurrent must be at least 1");
	if (options.connect_timeout_ms <= 0 || options.timeout_ms <= 0)
		throw Error(sqlstate::kInvalidParameterValue, "HTTP timeouts must be positive");
	if (!CurlGlobalInit())
		throw Error(sqlstate::kInternalError, "curl_global_init failed");

	Impl &impl = *impl_;
	impl.options = std::move(options);
	impl.user_agent = "pg_capi/" + impl.options.version;
	impl.http2 = LibcurlHasHttp2();
	impl.idle.reserve(impl.options.max_concurrent);
	long per_host = impl.options.max_host_connections > 0 ? impl.options.max_host_connections
	                                                      : static_cast<long>(impl.options.max_concurrent);

	impl.multi = curl_multi_init();
	impl.share = curl_share_init();
	if (impl.multi == nullptr || impl.share == nullptr)
		throw Error(sqlstate::kInternalError, "libcurl could not create a multi or share handle");
	// TLS sessions are resumed across the pool's easy handles (connections are shared by the multi).
	bool ok = curl_share_setopt(impl.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) == CURLSHE_OK;
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_SOCKETFUNCTION, &Impl::OnCurlSocket) == CURLM_OK;
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_SOCKETDATA, static_cast<void *>(&impl)) == CURLM_OK;
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_TIMERFUNCTION, &Impl::OnCurlTimer) == CURLM_OK;
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_TIMERDATA, static_cast<void *>(&impl)) == CURLM_OK;
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) == CURLM_OK;
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host) == CURLM_OK;
	// Idle connections kept open for reuse.
	ok = ok && curl_multi_setopt(impl.multi, CURLMOPT_MAXCONNECTS,
	                             static_cast<long>(4 * impl.options.max_concurrent)) == CURLM_OK;
	if (!ok)
		throw Error(sqlstate::kInternalError, "libcurl rejected the multi handle options");
}

Client::~Client() = default;

void Client::Submit(Request request) {
	RequireAllowedUrl(request.url);
	for (const std::string &header : request.headers) {
		if (!IsValidHeaderLine(header))
			throw Error(sqlstate::kInvalidParameterValue,
			            "invalid HTTP header line (expected \"Name: value\")");
	}
	Impl &impl = *impl_;
	auto t = std::make_unique<Transfer>();
	t->redactor.AddUrlSecrets(request.url);
	t->redactor.AddHeaderSecrets(request.headers);
	for (const std::string &secret : request.secrets)
		t->redactor.AddSecret(secret);
	t->timeout_ms = request.timeout_ms > 0 ? request.timeout_ms : impl.options.timeout_ms;
	t->request = std::move(request);

	if (impl.running.size() < impl.options.max_concurrent && impl.queue.empty()) {
		std::string error = impl.Start(std::move(t));
		if (!error.empty())
			throw Error(sqlstate::kInternalError, error);
	} else {
		impl.queue.push_back(std::move(t));
	}
	impl.stats.submitted++;
}

std::vector<SocketWatch> Client::Watches() const {
	std::vector<SocketWatch> result;
	result.reserve(impl_->watches.size());
	for (const auto &[fd, what] : impl_->watches)
		result.push_back(SocketWatch{fd, (what & CURL_POLL_IN) != 0, (what & CURL_POLL_OUT) != 0});
	return result;
}

std::uint64_t Client::WatchesVersion() const noexcept {
	return impl_->watches_version;
}

long Client::NextTimeoutMs() const {
	if (!impl_->has_deadline)
		return -1;
	auto remaining = impl_->deadline - Clock::now();
	if (remaining <= Clock::duration::zero())
		return 0;
	// Rounded up, so that waiting this long never wakes up before the deadline.
	return static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(remaining).count());
}

void Client::OnSocket(int fd, bool readable, bool writable) {
	int mask = (readable ? CURL_CSELECT_IN : 0) | (writable ? CURL_CSELECT_OUT : 0);
	impl_->Act(fd, mask);
}

void Client::OnTimeout() {
	Impl &impl = *impl_;
	impl.Act(CURL_SOCKET_TIMEOUT, 0);
	// libcurl only calls the timer callback when its next deadline changes; make sure an expired
	// deadline is not kept (it would make the caller spin).
	if (impl.has_deadline && impl.deadline <= Clock::now()) {
		long timeout_ms = -1;
		if (curl_multi_timeout(impl.multi, &timeout_ms) == CURLM_OK)
			impl.SetTimer(timeout_ms);
	}
}

std::vector<Response> Client::TakeCompleted() {
	std::vector<Response> taken;
	taken.swap(impl_->completed);
	return taken;
}

bool Client::HasCompleted() const noexcept {
	return !impl_->completed.empty();
}

std::size_t Client::InFlight() const noexcept {
	return impl_->running.size();
}

std::size_t Client::Queued() const noexcept {
	return impl_->queue.size();
}

void Client::AbortAll() {
	impl_->stats.aborted += impl_->DropAll();
}

void Client::Poll(long max_wait_ms) {
	std::vector<pollfd> fds;
	for (const SocketWatch &watch : Watches()) {
		short events = static_cast<short>((watch.want_read ? POLLIN : 0) | (watch.want_write ? POLLOUT : 0));
		fds.push_back(pollfd{watch.fd, events, 0});
	}
	long wait = NextTimeoutMs();
	if (wait < 0 || wait > max_wait_ms)
		wait = max_wait_ms < 0 ? 0 : max_wait_ms;
	if (poll(fds.data(), fds.size(), static_cast<int>(wait)) < 0)
		return; // EINTR: let the caller look at its signals
	for (const pollfd &p : fds) {
		if (p.revents == 0 || (p.revents & POLLNVAL) != 0)
			continue;
		bool failed = (p.revents & (POLLERR | POLLHUP)) != 0;
		OnSocket(p.fd, (p.revents & POLLIN) != 0 || failed,
		         (p.revents & POLLOUT) != 0 || (failed && (p.events & POLLOUT) != 0));
	}
	if (NextTimeoutMs() == 0)
		OnTimeout();
}

const ClientStats &Client::Stats() const noexcept {
	return impl_->stats;
}

} // namespace capi::http
