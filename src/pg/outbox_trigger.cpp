// capi.outbox's row trigger: every INSERT is validated and its user_data replaced by the stored
// identity bag (hashes; raw PII never rests in the table); UPDATE is refused (the outbox is
// append-only: delivery state lives elsewhere, see docs/architecture.md "Delivery"), except the one
// correction of a failed event that capi.correct_failed() allowed (pg/outbox_correction.hpp), which is
// validated and hashed as an INSERT is.
//
// Pattern (docs/architecture.md): read every column with PostgreSQL calls first into plain locals,
// run the C++ checks and the bag builder (no PostgreSQL call while C++ objects live), then build the
// new tuple.
//
// Before anything is rendered or converted: a jsonb column whose stored size is beyond what its JSON
// text limit allows is refused without detoasting or rendering it (a 100 MB custom_data costs
// nothing), and an infinite event_time is refused before it is converted to milliseconds. The
// trigger sets txid and created_at itself.
//
// Restores (docs/operations.md "Backup and restore"): a row that comes with a txid or created_at of its
// own is a restored row and is kept exactly as it was dumped. The first other INSERT after a restore
// from another cluster rebases the delivery state first (pg/cluster_identity.hpp), so that no row of
// this cluster is ever mixed with the restored ones. capi.rebase_after_restore() itself rewrites txid
// alone (pg/outbox_correction.hpp).
#include "core/outbox/destination_checks.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/outbox/row_validation.hpp"

#include <cstring>

#include "pg/cluster_identity.hpp"
#include "pg/destination_cache.hpp"
#include "pg/duplicate_audit.hpp"
#include "pg/guard.hpp"
#include "pg/guc.hpp"
#include "pg/outbox_correction.hpp"
#include "pg/shared_state.hpp"
#include "pg/text.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
#include "utils/xid8.h"
}

namespace {

// Reused across rows; deliberately never freed (no static C++ object with a destructor).
std::string &BagBuffer() {
	static std::string *buffer = new std::string();
	return *buffer;
}

// The user_data keys of the row that no platform can use (static names), likewise reused.
capi::outbox::UnusableKeys &UnusableBuffer() {
	static capi::outbox::UnusableKeys *buffer = new capi::outbox::UnusableKeys();
	return *buffer;
}

// capi.outbox.unusable_identifiers (text[]), or NULL when no key was unusable.
Datum UnusableIdentifiers(const capi::outbox::UnusableKeys &keys, bool *is_null) {
	*is_null = keys.empty();
	if (keys.empty())
		return (Datum)0;
	Datum *names = static_cast<Datum *>(palloc(sizeof(Datum) * keys.size()));
	for (std::size_t i = 0; i < keys.size(); i++)
		names[i] = PointerGetDatum(capi::pg::MakeText(keys[i]));
	return PointerGetDatum(
	    construct_array(names, static_cast<int>(keys.size()), TEXTOID, -1, false, TYPALIGN_INT));
}

// A column's attribute number, or an error naming it (the table was altered).
int ColumnNumber(TupleDesc descriptor, const char *name) {
	int number = SPI_fnumber(descriptor, name);
	if (number <= 0)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN), errmsg("capi.outbox has no column \"%s\"", name)));
	return number;
}

struct TextColumn {
	const char *data = nullptr; // NULL column: nullptr
	int length = 0;
};

TextColumn ReadText(HeapTuple tuple, TupleDesc descriptor, const char *name) {
	bool is_null = false;
	Datum value = heap_getattr(tuple, ColumnNumber(descriptor, name), descriptor, &is_null);
	TextColumn column;
	if (!is_null) {
		text *detoasted = DatumGetTextPP(value);
		column.data = VARDATA_ANY(detoasted);
		column.length = VARSIZE_ANY_EXHDR(detoasted);
	}
	return column;
}

// jsonb rendered as text, or nullptr for NULL. A stored value too large for max_text_bytes of JSON
// text is refused (54000) from its size alone (toast_raw_datum_size reads a toast pointer's header),
// before it is detoasted or rendered.
const char *ReadJsonb(HeapTuple tuple, TupleDesc descriptor, const char *name, std::size_t max_text_bytes) {
	bool is_null = false;
	Datum value = heap_getattr(tuple, ColumnNumber(descriptor, name), descriptor, &is_null);
	if (is_null)
		return nullptr;
	capi::outbox::CheckStoredJsonSize(name, toast_raw_datum_size(value) - VARHDRSZ, max_text_bytes);
	Jsonb *jsonb = DatumGetJsonbP(value);
	return JsonbToCString(nullptr, &jsonb->root, VARSIZE(jsonb));
}

std::string_view View(const TextColumn &column) {
	return column.data != nullptr ? std::string_view(column.data, column.length) : std::string_view();
}

std::optional<std::string_view> OptionalView(const TextColumn &column) {
	if (column.data == nullptr)
		return std::nullopt;
	return View(column);
}

// A row that comes with a txid or created_at other than its transaction's: a restored row (pg_restore's
// COPY, or the INSERTs of a dump made with --inserts). Only the table's owner and superusers can write
// these columns (writers are granted the application's columns only). Both must match for a row to be
// taken as new: a restored row whose old txid happens to be this transaction's id still differs in
// created_at.
bool IsRestoredRow(HeapTuple tuple, TupleDesc descriptor) {
	bool is_null = false;
	Datum txid = heap_getattr(tuple, ColumnNumber(descriptor, "txid"), descriptor, &is_null);
	if (!is_null && !FullTransactionIdEquals(DatumGetFullTransactionId(txid), GetTopFullTransactionId()))
		return true;
	Datum created_at = heap_getattr(tuple, ColumnNumber(descriptor, "created_at"), descriptor, &is_null);
	return !is_null && DatumGetTimestampTz(created_at) != GetCurrentTransactionStartTimestamp();
}

// The row as it was, with the txid the UPDATE gave it (capi.rebase_after_restore changes nothing else).
HeapTuple WithTxidOf(HeapTuple old_tuple, HeapTuple new_tuple, TupleDesc descriptor) {
	int column = ColumnNumber(descriptor, "txid");
	bool is_null = false;
	Datum txid = heap_getattr(new_tuple, column, descriptor, &is_null);
	return heap_modify_tuple_by_cols(old_tuple, descriptor, 1, &column, &txid, &is_null);
}

std::optional<std::string_view> OptionalView(const char *json) {
	if (json == nullptr)
		return std::nullopt;
	return std::string_view(json);
}

} // namespace

CAPI_PG_FUNCTION(capi_outbox_row_trigger) {
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("capi.outbox_row_trigger() must be called as a trigger")));
	TriggerData *trigger = reinterpret_cast<TriggerData *>(fcinfo->context);
	if (!TRIGGER_FIRED_BEFORE(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("capi.outbox_row_trigger() must run BEFORE, FOR EACH ROW")));
	TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
	HeapTuple tuple = trigger->tg_trigtuple;
	// A correction (capi.correct_failed): the old row with only the correctable columns taken from
	// the new one, validated and hashed below as an INSERT is; id, txid and created_at are kept, so
	// the event keeps its place in the delivery order.
	const bool correcting = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
	if (correcting) {
		bool id_null = false;
		Datum id = heap_getattr(tuple, ColumnNumber(descriptor, "id"), descriptor, &id_null);
		if (id_null || !capi::pg::TakeOutboxCorrection(DatumGetInt64(id))) {
			if (capi::pg::OutboxRebaseAllowed())
				return PointerGetDatum(WithTxidOf(tuple, trigger->tg_newtuple, descriptor));
			ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			                errmsg("capi.outbox is append-only: rows cannot be updated"),
			                errhint("Insert a new event; delivery state is in capi.delivery_status. A failed "
			                        "event is corrected with capi.correct_failed().")));
		}
		int columns[3] = {ColumnNumber(descriptor, "user_data"), ColumnNumber(descriptor, "custom_data"),
		                  ColumnNumber(descriptor, "event_source_url")};
		Datum values[3];
		bool nulls[3];
		for (int i = 0; i < 3; i++)
			values[i] = heap_getattr(trigger->tg_newtuple, columns[i], descriptor, &nulls[i]);
		tuple = heap_modify_tuple_by_cols(tuple, descriptor, 3, columns, values, nulls);
	} else if (!TRIGGER_FIRED_BY_INSERT(trigger->tg_event)) {
		return PointerGetDatum(trigger->tg_trigtuple);
	} else if (IsRestoredRow(tuple, descriptor)) {
		// Validated and hashed when it was first inserted; its destinations may not be restored yet.
		capi::pg::WakeWorkerAtCommit();
		return PointerGetDatum(tuple);
	} else if (capi::pg::CurrentClusterIdentity().from_another_cluster) {
		// The delivery state is another cluster's: rewritten for this one before this row joins it.
		capi::pg::RebaseAfterRestoreAs(trigger->tg_relation->rd_rel->relowner);
	}

	// 1. Every PostgreSQL read, into plain locals.
	TextColumn event_id = ReadText(tuple, descriptor, "event_id");
	TextColumn event_name = ReadText(tuple, descriptor, "event_name");
	TextColumn action_source = ReadText(tuple, descriptor, "action_source");
	TextColumn event_source_url = ReadText(tuple, descriptor, "event_source_url");
	const char *user_data = ReadJsonb(tuple, descriptor, "user_data", capi::outbox::kMaxUserDataBytes);
	const char *custom_data = ReadJsonb(tuple, descriptor, "custom_data", capi::outbox::kMaxCustomDataBytes);
	const char *consent = ReadJsonb(tuple, descriptor, "consent", capi::outbox::kMaxConsentBytes);
	bool is_null = false;
	Datum event_time = heap_getattr(tuple, ColumnNumber(descriptor, "event_time"), descriptor, &is_null);
	if (is_null) // said here: read as 0 it would be refused as 1970, more than a year in the past
		ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("event_time must not be NULL"),
		                errhint("Leave event_time out for the time of the INSERT, now().")));
	// 'infinity' and '-infinity' are refused by the core; converting them would give garbage.
	bool event_time_finite = is_null || !TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(event_time));
	std::int64_t event_time_ms =
	    is_null || !event_time_finite ? 0 : capi::pg::UnixMilliseconds(DatumGetTimestampTz(event_time));
	Datum destinations = heap_getattr(tuple, ColumnNumber(descriptor, "destinations"), descriptor, &is_null);
	// Unknown names and names a role restricted by writer_roles may not use are refused; NULL (every
	// destination) is written out as the role's own list when it may not use them all.
	// A correction keeps the row's destinations: they were checked when it was inserted.
	bool replace_destinations = false;
	Datum restricted_destinations =
	    correcting ? (Datum)0
	               : capi::pg::ResolveEventDestinations(destinations, is_null, &replace_destinations);
	Datum *names = nullptr;
	bool *name_nulls = nullptr;
	int name_count = -1; // -1: destinations IS NULL
	if (!is_null) {
		deconstruct_array(DatumGetArrayTypeP(destinations), TEXTOID, -1, false, TYPALIGN_INT, &names,
		                  &name_nulls, &name_count);
		for (int i = 0; i < name_count; i++)
			if (!name_nulls[i])
				names[i] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(names[i]));
	}
	// The platforms the event goes to, for the checks that depend on them (destination_checks.hpp).
	capi::outbox::EventTargets targets;
	capi::pg::DescribeEventTargets(restricted_destinations, is_null && !replace_destinations, event_name.data,
	                               event_name.data != nullptr ? static_cast<int>(event_name.length) : 0,
	                               &targets.platforms, &targets.event_name_in_config);
	std::int64_t now_ms = capi::pg::NowUnixMilliseconds();
	const char *region = capi::pg::DefaultRegion();
	const bool region_given = capi::pg::DefaultRegionGiven();

	// 2. The C++ work: validation and hashing (errors unwind normally to InvokeCpp).
	std::string &bag = BagBuffer();
	capi::outbox::UnusableKeys &unusable = UnusableBuffer();
	unusable.clear();
	{
		capi::outbox::OutboxRowView row;
		row.event_id = View(event_id);
		row.event_name = View(event_name);
		row.event_time_ms = event_time_ms;
		row.event_time_finite = event_time_finite;
		row.action_source = View(action_source);
		row.event_source_url = OptionalView(event_source_url);
		row.custom_data_json = OptionalView(custom_data);
		row.consent_json = OptionalView(consent);
		if (name_count >= 0) {
			row.destinations.emplace();
			for (int i = 0; i < name_count; i++) {
				if (name_nulls[i])
					row.destinations->push_back(std::nullopt);
				else
					row.destinations->push_back(
					    capi::pg::TextView(reinterpret_cast<const text *>(DatumGetPointer(names[i]))));
			}
		}
		const capi::outbox::RowFacts facts = capi::outbox::ValidateOutboxRow(row, now_ms);
		capi::outbox::EventIdentifiers identifiers;
		if (user_data != nullptr) {
			capi::outbox::CheckJsonTextSize("user_data", std::strlen(user_data),
			                                capi::outbox::kMaxUserDataBytes);
			capi::outbox::PlainValues plain;
			capi::outbox::BuildIdentityBag(user_data, capi::identity::Region(region, region_given), bag,
			                               &plain, &unusable);
			identifiers.client_user_agent =
			    plain[static_cast<std::size_t>(capi::identity::PlainKey::kClientUserAgent)];
			identifiers.fbc = plain[static_cast<std::size_t>(capi::identity::PlainKey::kFbc)];
			identifiers.fbp = plain[static_cast<std::size_t>(capi::identity::PlainKey::kFbp)];
		}
		capi::outbox::CheckEventForDestinations(row, facts, identifiers, targets);
	}

	capi::pg::WakeWorkerAtCommit(); // the delivery worker reads the row once this transaction commits
	// The keys no platform can use, recorded for capi.match_quality_report (a column that SQL older than
	// 0.6.0 does not have: then nothing is recorded).
	const int unusable_column = SPI_fnumber(descriptor, "unusable_identifiers");
	bool unusable_null = true;
	Datum unusable_value = unusable_column > 0 ? UnusableIdentifiers(unusable, &unusable_null) : (Datum)0;
	if (correcting) { // only user_data is replaced (by its hashed form); txid and created_at are kept
		// A correction that keeps user_data (capi.correct_failed passes NULL for it) keeps the record of
		// what the original INSERT could not use: the stored bag no longer shows it.
		const int user_data_column = ColumnNumber(descriptor, "user_data");
		bool old_null = false;
		bool new_null = false;
		Datum old_user_data = heap_getattr(trigger->tg_trigtuple, user_data_column, descriptor, &old_null);
		Datum new_user_data = heap_getattr(trigger->tg_newtuple, user_data_column, descriptor, &new_null);
		const bool user_data_kept =
		    old_null == new_null && (old_null || datumIsEqual(old_user_data, new_user_data, false, -1));
		int columns[2] = {user_data_column, unusable_column};
		Datum values[2] = {user_data != nullptr ? DirectFunctionCall1(jsonb_in, CStringGetDatum(bag.c_str()))
		                                        : (Datum)0,
		                   unusable_value};
		bool nulls[2] = {user_data == nullptr, unusable_null};
		const int changed = unusable_column > 0 && !user_data_kept ? 2 : 1;
		return PointerGetDatum(heap_modify_tuple_by_cols(tuple, descriptor, changed, columns, values, nulls));
	}

	// 3. The dedup audit: a row whose (event_name, event_id) is taken is a retry (duplicate_audit.hpp).
	{
		bool name_null = false;
		bool id_null = false;
		Datum name = heap_getattr(tuple, ColumnNumber(descriptor, "event_name"), descriptor, &name_null);
		Datum id = heap_getattr(tuple, ColumnNumber(descriptor, "event_id"), descriptor, &id_null);
		if (!name_null && !id_null)
			capi::pg::AuditDuplicateInsert(trigger->tg_relation, name, id,
			                               replace_destinations ? restricted_destinations : destinations,
			                               is_null && !replace_destinations);
	}

	// 4. The new tuple: hashed user_data, the inserting transaction's id (the delivery cursor's key),
	// its start time as created_at (retention counts from it: a writer must not backdate it), the
	// unusable keys, and the destinations written out when writer_roles restrict this role.
	int columns[5] = {ColumnNumber(descriptor, "user_data"), ColumnNumber(descriptor, "txid"),
	                  ColumnNumber(descriptor, "created_at"), ColumnNumber(descriptor, "destinations"),
	                  unusable_column};
	Datum values[5] = {(Datum)0, FullTransactionIdGetDatum(GetTopFullTransactionId()),
	                   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), restricted_destinations,
	                   unusable_value};
	bool nulls[5] = {user_data == nullptr, false, false, false, unusable_null};
	if (user_data != nullptr)
		values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(bag.c_str()));
	if (!replace_destinations) { // destinations keep the row's own value: drop that column
		columns[3] = columns[4];
		values[3] = values[4];
		nulls[3] = nulls[4];
	}
	const int changed = (replace_destinations ? 4 : 3) + (unusable_column > 0 ? 1 : 0);
	return PointerGetDatum(heap_modify_tuple_by_cols(tuple, descriptor, changed, columns, values, nulls));
}
