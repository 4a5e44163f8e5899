#include "core/interrupt.hpp"

namespace capi {

namespace interrupt_internal {
std::atomic<InterruptPoll> poll{nullptr};
} // namespace interrupt_internal

void SetInterruptPoll(InterruptPoll poll) noexcept {
	interrupt_internal::poll.store(poll, std::memory_order_relaxed);
}

} // namespace capi
