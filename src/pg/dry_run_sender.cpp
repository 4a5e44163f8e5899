#include "pg/dry_run_sender.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/error.hpp"
#include "core/interrupt.hpp"
#include "pg/worker/wait_set.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
}

namespace capi::pg {
namespace {

std::int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

// A cancel (query cancel, statement_timeout) or a terminate stops the dry run: thrown, so that the
// transfers and buffers are released as the C++ frames unwind, before PostgreSQL raises the
// interrupt's error. Other interrupts (a proc-signal barrier, say) are processed here and the wait
// goes on.
void CheckInterrupts() {
	if (!InterruptPending)
		return;
	if (QueryCancelPending || ProcDiePending)
		throw Interrupted();
	PgCall([] { CHECK_FOR_INTERRUPTS(); });
}

} // namespace

void RunDryRun(dispatch::DryRun &dry_run, const http::ClientOptions &options) {
	http::Client client(options);
	worker::WaitSet wait;
	while (!dry_run.Done()) {
		CheckInterrupts();
		std::int64_t now = NowMs();
		for (http::Request &request : dry_run.TakeRequests(now)) {
			const std::uint64_t id = request.id;
			try {
				client.Submit(std::move(request));
			} catch (const Error &error) { // a URL or header the client refuses: that request's answer
				http::Response refused;
				refused.id = id;
				refused.error = http::TransportError::kOther;
				refused.error_text = error.what();
				dry_run.OnResponse(refused, now);
			}
		}
		if (dry_run.Done())
			break;

		long timeout_ms = client.NextTimeoutMs();
		if (std::optional<std::int64_t> due = dry_run.NextDueMs()) {
			const long until_due = static_cast<long>(std::max<std::int64_t>(0, *due - now));
			timeout_ms = timeout_ms < 0 ? until_due : std::min(timeout_ms, until_due);
		}
		if (timeout_ms < 0 && client.InFlight() + client.Queued() == 0)
			throw Error(sqlstate::kInternalError, "capi.dry_run stalled: nothing in flight and nothing due");

		wait.Watch(client.Watches(), client.WatchesVersion());
		const worker::WaitResult woken = wait.Wait(timeout_ms);
		CheckInterrupts();
		for (const worker::SocketReady &socket : woken.sockets)
			client.OnSocket(socket.fd, socket.readable, socket.writable);
		if (client.NextTimeoutMs() == 0)
			client.OnTimeout();
		now = NowMs();
		for (const http::Response &response : client.TakeCompleted())
			dry_run.OnResponse(response, now);
	}
}

} // namespace capi::pg
