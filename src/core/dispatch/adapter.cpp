#include "core/dispatch/adapter.hpp"

#include "core/error.hpp"

namespace capi::dispatch {

std::string_view OutcomeKindName(OutcomeKind kind) noexcept {
	switch (kind) {
	case OutcomeKind::kDelivered:
		return "delivered";
	case OutcomeKind::kRetry:
		return "retry";
	case OutcomeKind::kRejectedBatch:
		return "rejected_batch";
	case OutcomeKind::kRejectedEvents:
		return "rejected_events";
	case OutcomeKind::kPartial:
		return "partial";
	case OutcomeKind::kAuthFailed:
		return "auth_failed";
	case OutcomeKind::kPermanent:
		return "permanent";
	}
	return "unknown";
}

HttpRequest PlatformAdapter::BuildRequest(const Destination &destination,
                                          const std::vector<const OutboxEvent *> &batch,
                                          const RequestContext &context, std::int64_t now_ms) const {
	if (batch.empty() || batch.size() > MaxBatchSize()) {
		throw Error(sqlstate::kInvalidParameterValue, "destination " + destination.name +
		                                                  ": a batch must hold 1 to " +
		                                                  std::to_string(MaxBatchSize()) + " events");
	}
	std::unique_ptr<RequestBuilder> builder = StartRequest(destination, context);
	for (const OutboxEvent *event : batch) {
		if (std::optional<Refusal> problem = builder->Add(*event, now_ms)) {
			throw Error(sqlstate::kDataException,
			            "outbox event " + std::to_string(event->outbox_id) + " cannot be sent to " +
			                std::string(identity::PlatformName(platform())) + ": " + problem->reason);
		}
	}
	return builder->Finish();
}

} // namespace capi::dispatch
