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
#include "pg/trigger_protocol.hpp"
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

// An UPDATE. The one correction capi.correct_failed() allowed (pg/outbox_correction.hpp): the old row
// with only the correctable columns taken from the new one, to be validated and hashed as an INSERT is;
// id, txid and created_at are kept, so the event keeps its place in the delivery order. The txid rewrite
// of capi.rebase_after_restore(): the finished row, with *rebased set. Any other UPDATE is refused.
HeapTuple CorrectionOrRebase(TriggerData *trigger, TupleDesc descriptor, bool *rebased) {
	HeapTuple tuple = trigger->tg_trigtuple;
	bool id_null = false;
	Datum id = heap_getattr(tuple, ColumnNumber(descriptor, "id"), descriptor, &id_null);
	if (id_null || !capi::pg::TakeOutboxCorrection(DatumGetInt64(id))) {
		if (capi::pg::OutboxRebaseAllowed()) {
			*rebased = true;
			return WithTxidOf(tuple, trigger->tg_newtuple, descriptor);
		}
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
	return heap_modify_tuple_by_cols(tuple, descriptor, 3, columns, values, nulls);
}

// Everything the checks and the bag builder read, read by PostgreSQL calls into plain values (no C++
// object with a destructor: any of these reads may raise an ERROR).
struct OutboxRowColumns {
	TextColumn event_id;
	TextColumn event_name;
	TextColumn action_source;
	TextColumn event_source_url;
	const char *user_data = nullptr; // jsonb as text; nullptr for NULL
	const char *custom_data = nullptr;
	const char *consent = nullptr;
	std::int64_t event_time_ms = 0;
	bool event_time_finite = true;
	// destinations as written (destinations_null: NULL, every destination), and as it is to be stored:
	// restricted_destinations replaces it when replace_destinations.
	Datum destinations = (Datum)0;
	bool destinations_null = false;
	Datum restricted_destinations = (Datum)0;
	bool replace_destinations = false;
	// The destinations' names, detoasted; name_count -1 when destinations IS NULL.
	Datum *names = nullptr;
	bool *name_nulls = nullptr;
	int name_count = -1;
	capi::outbox::EventTargets targets; // the platforms the event goes to (destination_checks.hpp)
	std::int64_t now_ms = 0;
	const char *region = nullptr; // capi.default_region
	bool region_given = false;
};

// 1. Every PostgreSQL read. A correction keeps the row's destinations: they were checked when it was
// inserted.
OutboxRowColumns ReadOutboxRow(HeapTuple tuple, TupleDesc descriptor, bool correcting) {
	OutboxRowColumns row;
	row.event_id = ReadText(tuple, descriptor, "event_id");
	row.event_name = ReadText(tuple, descriptor, "event_name");
	row.action_source = ReadText(tuple, descriptor, "action_source");
	row.event_source_url = ReadText(tuple, descriptor, "event_source_url");
	row.user_data = ReadJsonb(tuple, descriptor, "user_data", capi::outbox::kMaxUserDataBytes);
	row.custom_data = ReadJsonb(tuple, descriptor, "custom_data", capi::outbox::kMaxCustomDataBytes);
	row.consent = ReadJsonb(tuple, descriptor, "consent", capi::outbox::kMaxConsentBytes);
	bool is_null = false;
	Datum event_time = heap_getattr(tuple, ColumnNumber(descriptor, "event_time"), descriptor, &is_null);
	if (is_null) // said here: read as 0 it would be refused as 1970, more than a year in the past
		ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION), errmsg("event_time must not be NULL"),
		                errhint("Leave event_time out for the time of the INSERT, now().")));
	// 'infinity' and '-infinity' are refused by the core; converting them would give garbage.
	row.event_time_finite = is_null || !TIMESTAMP_NOT_FINITE(DatumGetTimestampTz(event_time));
	row.event_time_ms =
	    is_null || !row.event_time_finite ? 0 : capi::pg::UnixMilliseconds(DatumGetTimestampTz(event_time));
	row.destinations =
	    heap_getattr(tuple, ColumnNumber(descriptor, "destinations"), descriptor, &row.destinations_null);
	// Unknown names and names a role restricted by writer_roles may not use are refused; NULL (every
	// destination) is written out as the role's own list when it may not use them all.
	row.restricted_destinations =
	    correcting ? (Datum)0
	               : capi::pg::ResolveEventDestinations(row.destinations, row.destinations_null,
	                                                    &row.replace_destinations);
	if (!row.destinations_null) {
		deconstruct_array(DatumGetArrayTypeP(row.destinations), TEXTOID, -1, false, TYPALIGN_INT, &row.names,
		                  &row.name_nulls, &row.name_count);
		for (int i = 0; i < row.name_count; i++)
			if (!row.name_nulls[i])
				row.names[i] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(row.names[i]));
	}
	capi::pg::DescribeEventTargets(
	    row.restricted_destinations, row.destinations_null && !row.replace_destinations, row.event_name.data,
	    row.event_name.data != nullptr ? static_cast<int>(row.event_name.length) : 0, &row.targets.platforms,
	    &row.targets.event_name_in_config);
	row.now_ms = capi::pg::NowUnixMilliseconds();
	row.region = capi::pg::DefaultRegion();
	row.region_given = capi::pg::DefaultRegionGiven();
	return row;
}

// 2. The C++ work, no PostgreSQL call: the row's checks, and user_data hashed into bag (its unusable
// keys into unusable). Errors are C++ exceptions, unwinding normally to InvokeCpp.
// Returns the hashed user_data's members (the builder's, valid until its next call), or nullptr when
// user_data is NULL.
const capi::outbox::BagMembers *ValidateAndHash(const OutboxRowColumns &columns,
                                                capi::outbox::UnusableKeys &unusable) {
	capi::outbox::OutboxRowView row;
	row.event_id = View(columns.event_id);
	row.event_name = View(columns.event_name);
	row.event_time_ms = columns.event_time_ms;
	row.event_time_finite = columns.event_time_finite;
	row.action_source = View(columns.action_source);
	row.event_source_url = OptionalView(columns.event_source_url);
	row.custom_data_json = OptionalView(columns.custom_data);
	row.consent_json = OptionalView(columns.consent);
	if (columns.name_count >= 0) {
		row.destinations.emplace();
		for (int i = 0; i < columns.name_count; i++) {
			if (columns.name_nulls[i])
				row.destinations->push_back(std::nullopt);
			else
				row.destinations->push_back(
				    capi::pg::TextView(reinterpret_cast<const text *>(DatumGetPointer(columns.names[i]))));
		}
	}
	const capi::outbox::RowFacts facts = capi::outbox::ValidateOutboxRow(row, columns.now_ms);
	capi::outbox::EventIdentifiers identifiers;
	const capi::outbox::BagMembers *bag = nullptr;
	if (columns.user_data != nullptr) {
		capi::outbox::CheckJsonTextSize("user_data", std::strlen(columns.user_data),
		                                capi::outbox::kMaxUserDataBytes);
		capi::outbox::PlainValues plain;
		bag = &capi::outbox::BuildIdentityBagMembers(
		    columns.user_data, capi::identity::Region(columns.region, columns.region_given), &plain,
		    &unusable);
		identifiers.client_user_agent =
		    plain[static_cast<std::size_t>(capi::identity::PlainKey::kClientUserAgent)];
		identifiers.fbc = plain[static_cast<std::size_t>(capi::identity::PlainKey::kFbc)];
		identifiers.fbp = plain[static_cast<std::size_t>(capi::identity::PlainKey::kFbp)];
	}
	capi::outbox::CheckEventForDestinations(row, facts, identifiers, columns.targets);
	return bag;
}

// capi.outbox.unusable_identifiers as it is to be stored. number <= 0: SQL older than 0.6.0 has no such
// column, and nothing is recorded.
struct UnusableColumn {
	int number = 0;
	Datum value = (Datum)0;
	bool is_null = true;
};

// A string of the bag as a jsonb scalar. The bag's strings come from user_data's own jsonb strings
// (normalized, hashed or trimmed), so they hold no NUL, which jsonb cannot store: checked all the same.
JsonbValue BagString(std::string_view text) {
	if (memchr(text.data(), '\0', text.size()) != nullptr)
		ereport(ERROR, (errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
		                errmsg("user_data holds a NUL character, which jsonb cannot store")));
	JsonbValue value;
	value.type = jbvString;
	value.val.string.val = const_cast<char *>(text.data());
	value.val.string.len = static_cast<int>(text.size());
	return value;
}

// The hashed user_data as jsonb, built from the bag's members directly (no JSON text to parse). The
// builder's strings stay valid until JsonbValueToJsonb has copied them.
Datum BagJsonb(const capi::outbox::BagMembers &bag) {
	JsonbParseState *state = nullptr;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
	for (std::size_t m = 0; m < bag.members.size(); m++) {
		const capi::outbox::BagMember &member = bag.members[m];
		JsonbValue key = BagString(member.key);
		pushJsonbValue(&state, WJB_KEY, &key);
		if (member.is_array)
			pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
		for (std::size_t i = 0; i < member.value_count; i++) {
			JsonbValue value = BagString(bag.values[member.first_value + i]);
			pushJsonbValue(&state, member.is_array ? WJB_ELEM : WJB_VALUE, &value);
		}
		if (member.is_array)
			pushJsonbValue(&state, WJB_END_ARRAY, nullptr);
	}
	JsonbValue *object = pushJsonbValue(&state, WJB_END_OBJECT, nullptr); // sorts the keys, as jsonb_in
	return JsonbPGetDatum(JsonbValueToJsonb(object));
}

// A correction's row: only user_data is replaced (by its hashed form); txid and created_at are kept.
// A correction that keeps user_data (capi.correct_failed passes NULL for it) keeps the record of what
// the original INSERT could not use: the stored bag no longer shows it.
HeapTuple CorrectedTuple(TriggerData *trigger, HeapTuple tuple, TupleDesc descriptor,
                         const OutboxRowColumns &row, const capi::outbox::BagMembers *bag,
                         const UnusableColumn &unusable) {
	const int user_data_column = ColumnNumber(descriptor, "user_data");
	bool old_null = false;
	bool new_null = false;
	Datum old_user_data = heap_getattr(trigger->tg_trigtuple, user_data_column, descriptor, &old_null);
	Datum new_user_data = heap_getattr(trigger->tg_newtuple, user_data_column, descriptor, &new_null);
	const bool user_data_kept =
	    old_null == new_null && (old_null || datumIsEqual(old_user_data, new_user_data, false, -1));
	int columns[2] = {user_data_column, unusable.number};
	Datum values[2] = {bag != nullptr ? BagJsonb(*bag) : (Datum)0, unusable.value};
	bool nulls[2] = {bag == nullptr, unusable.is_null};
	const int changed = unusable.number > 0 && !user_data_kept ? 2 : 1;
	return heap_modify_tuple_by_cols(tuple, descriptor, changed, columns, values, nulls);
}

// 3. The dedup audit: a row whose (event_name, event_id) is taken is a retry (duplicate_audit.hpp).
void AuditDuplicate(Relation relation, HeapTuple tuple, TupleDesc descriptor, const OutboxRowColumns &row) {
	bool name_null = false;
	bool id_null = false;
	Datum name = heap_getattr(tuple, ColumnNumber(descriptor, "event_name"), descriptor, &name_null);
	Datum id = heap_getattr(tuple, ColumnNumber(descriptor, "event_id"), descriptor, &id_null);
	if (!name_null && !id_null)
		capi::pg::AuditDuplicateInsert(
		    relation, name, id, row.replace_destinations ? row.restricted_destinations : row.destinations,
		    row.destinations_null && !row.replace_destinations);
}

// 4. An inserted row as it is stored: hashed user_data, the inserting transaction's id (the delivery
// cursor's key), its start time as created_at (retention counts from it: a writer must not backdate
// it), the unusable keys, and the destinations written out when writer_roles restrict this role.
HeapTuple InsertedTuple(HeapTuple tuple, TupleDesc descriptor, const OutboxRowColumns &row,
                        const capi::outbox::BagMembers *bag, const UnusableColumn &unusable) {
	int columns[5] = {ColumnNumber(descriptor, "user_data"), ColumnNumber(descriptor, "txid"),
	                  ColumnNumber(descriptor, "created_at"), ColumnNumber(descriptor, "destinations"),
	                  unusable.number};
	Datum values[5] = {(Datum)0, FullTransactionIdGetDatum(GetTopFullTransactionId()),
	                   TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()),
	                   row.restricted_destinations, unusable.value};
	bool nulls[5] = {bag == nullptr, false, false, false, unusable.is_null};
	if (bag != nullptr)
		values[0] = BagJsonb(*bag);
	if (!row.replace_destinations) { // destinations keep the row's own value: drop that column
		columns[3] = columns[4];
		values[3] = values[4];
		nulls[3] = nulls[4];
	}
	const int changed = (row.replace_destinations ? 4 : 3) + (unusable.number > 0 ? 1 : 0);
	return heap_modify_tuple_by_cols(tuple, descriptor, changed, columns, values, nulls);
}

} // namespace

CAPI_PG_FUNCTION(capi_outbox_row_trigger) {
	TriggerData *trigger = capi::pg::RequireBeforeRowTrigger(fcinfo, "capi.outbox_row_trigger()");
	TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
	HeapTuple tuple = trigger->tg_trigtuple;
	const bool correcting = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
	if (correcting) {
		bool rebased = false;
		tuple = CorrectionOrRebase(trigger, descriptor, &rebased);
		if (rebased)
			return PointerGetDatum(tuple);
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

	const OutboxRowColumns row = ReadOutboxRow(tuple, descriptor, correcting);
	capi::outbox::UnusableKeys &unusable_keys = UnusableBuffer();
	unusable_keys.clear();
	const capi::outbox::BagMembers *bag = ValidateAndHash(row, unusable_keys);

	capi::pg::WakeWorkerAtCommit(); // the delivery worker reads the row once this transaction commits
	// The keys no platform can use, recorded for capi.match_quality_report.
	UnusableColumn unusable;
	unusable.number = SPI_fnumber(descriptor, "unusable_identifiers");
	if (unusable.number > 0)
		unusable.value = UnusableIdentifiers(unusable_keys, &unusable.is_null);
	if (correcting)
		return PointerGetDatum(CorrectedTuple(trigger, tuple, descriptor, row, bag, unusable));
	AuditDuplicate(trigger->tg_relation, tuple, descriptor, row);
	return PointerGetDatum(InsertedTuple(tuple, descriptor, row, bag, unusable));
}
