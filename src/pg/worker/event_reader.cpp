#include "pg/worker/event_reader.hpp"

#include "pg/guard.hpp"
#include "pg/json_text.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "pgstat.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/xid8.h"
}

namespace capi::pg::worker {
namespace {

constexpr int kColumns = 10;
enum Column {
	kId,
	kTxid,
	kEventId,
	kEventName,
	kEventTime,
	kActionSource,
	kSourceUrl,
	kUserData,
	kCustomData,
	kConsent
};
// Each column's type in kEventSelectList, and its name in reasons.
constexpr Oid kColumnTypes[kColumns] = {INT8OID, XID8OID, TEXTOID,  TEXTOID,  TIMESTAMPTZOID,
                                        TEXTOID, TEXTOID, JSONBOID, JSONBOID, JSONBOID};
constexpr const char *kColumnNames[kColumns] = {
    "id",        "txid",        "event_id", "event_name", "event_time", "action_source", "event_source_url",
    "user_data", "custom_data", "consent"};
constexpr int kMaxJsonDepth = 64;
static_assert(kMaxJsonDepth == 64, "AppendJsonb's reason names 64 levels");

// A column of a row: bytes in the tuple or in the JSON buffer (offset), or an integer. After a row's
// kColumns cells comes one more, kReason: why the row cannot be read (in the buffer), or NULL.
struct Cell {
	const char *data;
	int length; // -1 = NULL
	int64 number;
};
constexpr int kReason = kColumns;
constexpr int kCellsPerRow = kColumns + 1;

// The columns an unreadable row still gets: what its failure record needs.
bool IsKey(int column) {
	return column == kId || column == kTxid || column == kEventId || column == kEventName;
}

bool IsVarlena(int column) {
	return kColumnTypes[column] == TEXTOID || kColumnTypes[column] == JSONBOID;
}

// False for a value jsonb never stores (the row is then unreadable).
bool AppendScalar(StringInfo out, const JsonbValue &value) {
	switch (value.type) {
	case jbvNull:
		appendStringInfoString(out, "null");
		break;
	case jbvBool:
		appendStringInfoString(out, value.val.boolean ? "true" : "false");
		break;
	case jbvString:
		AppendJsonString(out, value.val.string.val, value.val.string.len);
		break;
	case jbvNumeric: {
		char *digits = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value.val.numeric)));
		appendStringInfoString(out, digits);
		pfree(digits);
		break;
	}
	default:
		return false;
	}
	return true;
}

// True for a top-level identity-bag key "field@other" of another platform than keep_suffix ("@meta").
bool IsOtherPlatformsKey(const JsonbValue &key, const char *keep_suffix) {
	const char *at = static_cast<const char *>(memchr(key.val.string.val, '@', key.val.string.len));
	if (at == nullptr || keep_suffix == nullptr)
		return false;
	const int suffix_length = key.val.string.len - static_cast<int>(at - key.val.string.val);
	return suffix_length != static_cast<int>(strlen(keep_suffix)) ||
	       memcmp(at, keep_suffix, suffix_length) != 0;
}

// jsonb -> JSON text, compact (no spaces). Same JSON value as jsonb_out; only layout differs.
// With keep_suffix (an identity bag), top-level keys meant for other platforms are left out: the
// adapter reads "field@<its platform>" or "field" only (core/dispatch/identity_bag.hpp).
// Returns what makes the value unreadable ("is nested deeper than 64 levels"), or nullptr; after a
// problem, out holds part of the value and the caller cuts it off.
const char *AppendJsonb(StringInfo out, Jsonb *jsonb, const char *keep_suffix = nullptr) {
	constexpr int kMaxDepth = kMaxJsonDepth;
	bool needs_comma[kMaxDepth + 1] = {false};
	bool raw_scalar[kMaxDepth + 1] = {false};
	int depth = 0;
	int skip_depth = -1; // >= 0: dropping the value of a key at this depth
	JsonbIterator *iterator = JsonbIteratorInit(&jsonb->root);
	JsonbValue value;
	JsonbIteratorToken token;
	while ((token = JsonbIteratorNext(&iterator, &value, false)) != WJB_DONE) {
		if (skip_depth >= 0) {
			if (token == WJB_BEGIN_ARRAY || token == WJB_BEGIN_OBJECT)
				depth++;
			else if (token == WJB_END_ARRAY || token == WJB_END_OBJECT)
				depth--;
			if (depth == skip_depth && token != WJB_BEGIN_ARRAY && token != WJB_BEGIN_OBJECT)
				skip_depth = -1; // the skipped value (scalar, or container now closed) is done
			continue;
		}
		if (token == WJB_KEY && depth == 1 && IsOtherPlatformsKey(value, keep_suffix)) {
			skip_depth = depth;
			continue;
		}
		switch (token) {
		case WJB_BEGIN_ARRAY:
		case WJB_BEGIN_OBJECT:
			if (depth >= kMaxDepth)
				return "is nested deeper than 64 levels";
			if (needs_comma[depth])
				appendStringInfoCharMacro(out, ',');
			needs_comma[depth] = true;
			depth++;
			needs_comma[depth] = false;
			raw_scalar[depth] = token == WJB_BEGIN_ARRAY && value.val.array.rawScalar;
			if (!raw_scalar[depth])
				appendStringInfoCharMacro(out, token == WJB_BEGIN_ARRAY ? '[' : '{');
			break;
		case WJB_END_ARRAY:
		case WJB_END_OBJECT:
			if (!raw_scalar[depth])
				appendStringInfoCharMacro(out, token == WJB_END_ARRAY ? ']' : '}');
			depth--;
			break;
		case WJB_KEY:
			if (needs_comma[depth])
				appendStringInfoCharMacro(out, ',');
			AppendJsonString(out, value.val.string.val, value.val.string.len);
			appendStringInfoCharMacro(out, ':');
			needs_comma[depth] = false; // the value follows the colon
			break;
		case WJB_VALUE:
		case WJB_ELEM:
			if (token == WJB_ELEM && needs_comma[depth])
				appendStringInfoCharMacro(out, ',');
			if (!AppendScalar(out, value))
				return "holds a value of an unknown type";
			needs_comma[depth] = true;
			break;
		default:
			break;
		}
	}
	return nullptr;
}

std::string Copy(const Cell &cell, const char *json_base) {
	if (cell.length < 0)
		return std::string();
	const char *start = cell.data != nullptr ? cell.data : json_base + cell.number;
	return std::string(start, static_cast<std::size_t>(cell.length));
}

// Reads a column that needs no conversion (all but the jsonb ones); event_time must be finite.
void ReadPlainCell(int column, Datum value, Cell &cell) {
	cell.length = 0;
	switch (kColumnTypes[column]) {
	case INT8OID:
		cell.number = DatumGetInt64(value);
		break;
	case XID8OID:
		cell.number = static_cast<int64>(U64FromFullTransactionId(DatumGetFullTransactionId(value)));
		break;
	case TIMESTAMPTZOID:
		cell.number = *FiniteUnixMilliseconds(DatumGetTimestampTz(value));
		break;
	default: {
		text *contents = DatumGetTextPP(value);
		cell.data = VARDATA_ANY(contents);
		cell.length = static_cast<int>(VARSIZE_ANY_EXHDR(contents));
		break;
	}
	}
}

// Sets the cell to text appended to the buffer (an offset: json->data may move while it grows).
void AppendCell(StringInfo json, Cell &cell, const char *text) {
	const int start = json->len;
	appendStringInfoString(json, text);
	cell.data = nullptr;
	cell.number = start;
	cell.length = json->len - start;
}

// Checks a row's columns without reading their contents: event_time finite, each text and jsonb
// column at most kMaxColumnBytes uncompressed (from its header: a column stored out of line is not
// fetched). Writes the problem into reason and returns false; sizes gets each column's size.
bool CheckRow(const Datum *values, const bool *nulls, Size *sizes, char *reason, std::size_t reason_size) {
	bool readable = true;
	for (int column = 0; column < kColumns; column++) {
		sizes[column] = 0;
		if (nulls[column])
			continue;
		if (IsVarlena(column)) {
			sizes[column] = toast_raw_datum_size(values[column]) - VARHDRSZ;
			if (readable && sizes[column] > kMaxColumnBytes) {
				snprintf(reason, reason_size, "%s is %zu bytes, more than %zu", kColumnNames[column],
				         static_cast<std::size_t>(sizes[column]), kMaxColumnBytes);
				readable = false;
			}
		} else if (column == kEventTime && readable) {
			const TimestampTz time = DatumGetTimestampTz(values[column]);
			if (!FiniteUnixMilliseconds(time)) {
				snprintf(reason, reason_size, "event_time is %s",
				         TIMESTAMP_IS_NOBEGIN(time) ? "-infinity"
				         : TIMESTAMP_IS_NOEND(time) ? "infinity"
				                                    : "out of range");
				readable = false;
			}
		}
	}
	return readable;
}

// Raises ERROR unless the query's columns are kEventSelectList's.
void CheckEventColumns(const SPITupleTable *table) {
	if (table == nullptr || table->tupdesc->natts != kColumns)
		elog(ERROR, "pg_capi worker: event query must return %d columns", kColumns);
	for (int column = 0; column < kColumns; column++)
		if (TupleDescAttr(table->tupdesc, column)->atttypid != kColumnTypes[column])
			elog(ERROR, "pg_capi worker: event query column %d must be %s", column + 1, kColumnNames[column]);
}

// Converts a row CheckRow looked at into its cells (kCellsPerRow): plain columns point into the
// tuple, JSON is appended to the buffer. An unreadable row (or one whose JSON turns out to be) keeps
// only its keys, and its reason. Returns the bytes the row adds to the read.
Size ConvertRow(const Datum *values, const bool *nulls, const Size *sizes, bool readable, char *reason,
                std::size_t reason_size, const char *keep_suffix, Cell *row_cells, StringInfo json) {
	const int row_start = json->len;
	for (int column = 0; column < kCellsPerRow; column++)
		row_cells[column] = Cell{nullptr, -1, 0};
	// An unreadable row keeps only its keys (for its failure record). They come first in the
	// select list, before the JSON that can make a row unreadable while it is converted.
	for (int column = 0; column < kColumns; column++) {
		if (nulls[column] || sizes[column] > kMaxColumnBytes || (!readable && !IsKey(column)))
			continue;
		if (kColumnTypes[column] != JSONBOID) {
			ReadPlainCell(column, values[column], row_cells[column]);
			continue;
		}
		const int start = json->len;
		Jsonb *jsonb = DatumGetJsonbP(values[column]);
		const char *problem = AppendJsonb(json, jsonb, column == kUserData ? keep_suffix : nullptr);
		if (reinterpret_cast<Pointer>(jsonb) != DatumGetPointer(values[column]))
			pfree(jsonb); // a detoasted copy
		if (problem == nullptr) {
			row_cells[column] = Cell{nullptr, json->len - start, start}; // offset: data may move
			continue;
		}
		snprintf(reason, reason_size, "%s %s", kColumnNames[column], problem);
		readable = false;
		json->len = row_start; // drop what was converted of the row
		json->data[row_start] = '\0';
		for (int other = 0; other < kColumns; other++)
			if (!IsKey(other))
				row_cells[other] = Cell{nullptr, -1, 0};
	}
	if (!readable)
		AppendCell(json, row_cells[kReason], reason);
	Size bytes = static_cast<Size>(json->len - row_start);
	for (int column = 0; column < kColumns; column++)
		if (kColumnTypes[column] == TEXTOID && row_cells[column].length >= 0)
			bytes += static_cast<Size>(row_cells[column].length);
	return bytes;
}

// The converted rows as OutboxEvents (C++ memory: copied out before SPI's memory is freed).
EventRows EventsFromCells(const Cell *cells, int rows, const char *json_base) {
	EventRows result;
	result.events.resize(static_cast<std::size_t>(rows));
	result.txids.resize(static_cast<std::size_t>(rows));
	for (int row = 0; row < rows; row++) {
		const Cell *cell = &cells[row * kCellsPerRow];
		dispatch::OutboxEvent &event = result.events[static_cast<std::size_t>(row)];
		event.outbox_id = cell[kId].number;
		result.txids[static_cast<std::size_t>(row)] = static_cast<std::uint64_t>(cell[kTxid].number);
		event.event_id = Copy(cell[kEventId], json_base);
		event.event_name = Copy(cell[kEventName], json_base);
		event.event_time_ms = cell[kEventTime].number;
		event.action_source = Copy(cell[kActionSource], json_base);
		event.event_source_url = Copy(cell[kSourceUrl], json_base);
		event.user_data_json = Copy(cell[kUserData], json_base);
		event.custom_data_json = Copy(cell[kCustomData], json_base);
		event.consent_json = Copy(cell[kConsent], json_base);
		event.unreadable_reason = Copy(cell[kReason], json_base);
	}
	return result;
}

} // namespace

EventRows QueryEvents(const char *sql, const std::vector<Value> &parameters, const std::string &platform,
                      std::size_t max_bytes) {
	const std::string keep_suffix_text = "@" + platform;
	const char *keep_suffix = platform.empty() ? nullptr : keep_suffix_text.c_str();
	const std::vector<const char *> texts = ParameterTexts(parameters);
	const int count = static_cast<int>(texts.size());
	int rows = 0;
	bool truncated = false;
	Cell *cells = nullptr;
	StringInfo json = nullptr;

	PgCall([&] {
		ExecuteWithTextParameters(sql, texts.data(), count);
		CheckEventColumns(SPI_tuptable);
		TupleDesc descriptor = SPI_tuptable->tupdesc;
		const int returned = static_cast<int>(SPI_processed);
		cells = static_cast<Cell *>(palloc(sizeof(Cell) * (static_cast<Size>(returned) * kCellsPerRow + 1)));
		json = makeStringInfo();
		Size bytes_read = 0;
		Datum row_values[kColumns];
		bool row_nulls[kColumns];
		Size sizes[kColumns];
		char reason[128];
		for (int row = 0; row < returned; row++) {
			heap_deform_tuple(SPI_tuptable->vals[row], descriptor, row_values, row_nulls);
			const bool readable = CheckRow(row_values, row_nulls, sizes, reason, sizeof reason);
			// The read budget: the row's columns as stored, before anything of it is converted.
			Size row_bytes = 0;
			for (int column = 0; column < kColumns; column++)
				row_bytes += sizes[column] <= kMaxColumnBytes ? sizes[column] : 0;
			if (max_bytes > 0 && row > 0 && bytes_read + row_bytes > max_bytes) {
				truncated = true;
				break;
			}
			bytes_read += ConvertRow(row_values, row_nulls, sizes, readable, reason, sizeof reason,
			                         keep_suffix, &cells[row * kCellsPerRow], json);
			rows = row + 1;
		}
	});

	EventRows result = EventsFromCells(cells, rows, json != nullptr ? json->data : nullptr);
	result.truncated = truncated;
	PgCall([&] {
		if (cells != nullptr)
			pfree(cells);
		if (json != nullptr) {
			pfree(json->data);
			pfree(json);
		}
		SPI_freetuptable(SPI_tuptable);
	});
	return result;
}

} // namespace capi::pg::worker
