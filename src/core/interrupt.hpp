// Cancellation of long loops in the core. The core cannot see PostgreSQL's interrupt flags, so the
// glue installs a poll at module load (src/pg/module.cpp: "is an interrupt pending?"), and every loop
// whose length depends on input calls CheckForInterrupt once per value (per identifier, per JSON
// member). A pending interrupt (query cancel, statement_timeout, terminate) makes it throw
// Interrupted, which unwinds the C++ frames normally; the glue then lets PostgreSQL process the
// interrupt (src/pg/guard.hpp).
#pragma once

#include <atomic>
#include <exception>

namespace capi {

// Thrown by CheckForInterrupt. Deliberately not a capi::Error: it is no data error, so code that
// handles bad input (per value or per event) never mistakes it for one.
class Interrupted final : public std::exception {
public:
	const char *what() const noexcept override { return "interrupted"; }
};

// Returns true when the current operation must stop. Called often: it must be cheap and must not
// throw (reading a flag).
using InterruptPoll = bool (*)();

// Installs the process-wide poll; nullptr (the default) means nothing ever interrupts.
void SetInterruptPoll(InterruptPoll poll) noexcept;

namespace interrupt_internal {
extern std::atomic<InterruptPoll> poll;
} // namespace interrupt_internal

// Throws Interrupted when the installed poll reports a pending interrupt.
inline void CheckForInterrupt() {
	const InterruptPoll poll = interrupt_internal::poll.load(std::memory_order_relaxed);
	if (poll != nullptr && poll())
		throw Interrupted();
}

} // namespace capi

#include "core/cpp_only.hpp"
