#include "server/platforms/platform_handler.hpp"

namespace capi::testserver {

void HandlerOutcome::Clear() {
	accepted = false;
	error = HttpResponse();
	destination.clear();
	test_event_code.clear();
	events.clear();
	rejected_events.clear();
	id_storage.clear();
}

} // namespace capi::testserver
