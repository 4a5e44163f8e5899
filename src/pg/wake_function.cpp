// capi.wake_worker(): wake the delivery worker when the calling transaction commits.
#include "pg/guard.hpp"
#include "pg/shared_state.hpp"

CAPI_PG_FUNCTION(capi_wake_worker) {
	capi::pg::WakeWorkerAtCommit(true);
	PG_RETURN_VOID();
}
