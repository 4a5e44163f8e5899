// How the extension's C trigger functions check that PostgreSQL called them the way their CREATE
// TRIGGER says: a misdeclared trigger (AFTER, FOR EACH STATEMENT, or a plain call) is an error
// (39P01, trigger protocol violated) naming the function, never a crash on a missing tuple.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "commands/trigger.h"
}

namespace capi::pg {

// The call's TriggerData; an error when function (e.g. "capi.outbox_row_trigger()") was not called
// by the trigger manager.
inline TriggerData *RequireTriggerCall(FunctionCallInfo fcinfo, const char *function) {
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("%s must be called as a trigger", function)));
	return reinterpret_cast<TriggerData *>(fcinfo->context);
}

// As RequireTriggerCall, and the trigger must be BEFORE ... FOR EACH ROW (it returns the row to store).
inline TriggerData *RequireBeforeRowTrigger(FunctionCallInfo fcinfo, const char *function) {
	TriggerData *trigger = RequireTriggerCall(fcinfo, function);
	if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("%s must run BEFORE, FOR EACH ROW", function)));
	return trigger;
}

} // namespace capi::pg
