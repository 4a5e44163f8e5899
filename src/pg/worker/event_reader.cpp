#include "pg/worker/event_reader.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "pgstat.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
}

namespace capi::pg::worker {
namespace {

constexpr int kColumns = 10;
enum Column {
	kId,
	kTxid,
	kEventId,
	kEventName,
	kTimeMs,
	kActionSource,
	kSourceUrl,
	kUserData,
	kCustomData,
	kConsent
};

// A column of a row: bytes in the tuple or in the JSON buffer (offset), or an integer.
struct Cell {
	const char *data;
	int length; // -1 = NULL
	int64 number;
};

void AppendJsonString(StringInfo out, const char *text, int length) {
	appendStringInfoCharMacro(out, '"');
	int run_start = 0;
	int i = 0;
	while (i < length) {
		// Skip eight bytes at a time while none needs escaping ('"', '\\' or a control character).
		while (i + 8 <= length) {
			uint64 word;
			memcpy(&word, text + i, sizeof word);
			constexpr uint64 kOnes = UINT64CONST(0x0101010101010101);
			constexpr uint64 kHigh = UINT64CONST(0x8080808080808080);
			const uint64 quote = word ^ (kOnes * '"');
			const uint64 backslash = word ^ (kOnes * '\\');
			const uint64 special = ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) |
			                       ((word - kOnes * 0x20) & ~word);
			if ((special & kHigh) != 0)
				break;
			i += 8;
		}
		if (i >= length)
			break;
		const unsigned char c = static_cast<unsigned char>(text[i]);
		if (c != '"' && c != '\\' && c >= 0x20) {
			i++;
			continue;
		}
		appendBinaryStringInfo(out, text + run_start, i - run_start);
		switch (c) {
		case '"':
			appendStringInfoString(out, "\\\"");
			break;
		case '\\':
			appendStringInfoString(out, "\\\\");
			break;
		case '\n':
			appendStringInfoString(out, "\\n");
			break;
		case '\r':
			appendStringInfoString(out, "\\r");
			break;
		case '\t':
			appendStringInfoString(out, "\\t");
			break;
		default:
			appendStringInfo(out, "\\u%04x", c);
			break;
		}
		run_start = ++i;
	}
	appendBinaryStringInfo(out, text + run_start, length - run_start);
	appendStringInfoCharMacro(out, '"');
}

void AppendScalar(StringInfo out, const JsonbValue &value) {
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
	case jbvNumeric:
		appendStringInfoString(
		    out, DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(value.val.numeric))));
		break;
	default:
		elog(ERROR, "pg_capi: unexpected jsonb value type %d", static_cast<int>(value.type));
	}
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
void AppendJsonb(StringInfo out, Jsonb *jsonb, const char *keep_suffix = nullptr) {
	constexpr int kMaxDepth = 64;
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
				elog(ERROR, "pg_capi: JSON nested deeper than %d levels", kMaxDepth);
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
			AppendScalar(out, value);
			needs_comma[depth] = true;
			break;
		default:
			break;
		}
	}
}

std::string Copy(const Cell &cell, const char *json_base) {
	if (cell.length < 0)
		return std::string();
	const char *start = cell.data != nullptr ? cell.data : json_base + cell.number;
	return std::string(start, static_cast<std::size_t>(cell.length));
}

} // namespace

EventRows QueryEvents(const char *sql, const std::vector<Value> &parameters, long limit,
                      const std::string &platform) {
	const std::string keep_suffix_text = "@" + platform;
	const char *keep_suffix = platform.empty() ? nullptr : keep_suffix_text.c_str();
	const std::vector<const char *> texts = ParameterTexts(parameters);
	const int count = static_cast<int>(texts.size());
	int rows = 0;
	Cell *cells = nullptr;
	StringInfo json = nullptr;

	PgCall([&] {
		ExecuteWithTextParameters(sql, texts.data(), count, limit);
		if (SPI_tuptable == nullptr || SPI_tuptable->tupdesc->natts != kColumns)
			elog(ERROR, "pg_capi worker: event query must return %d columns", kColumns);
		rows = static_cast<int>(SPI_processed);
		TupleDesc descriptor = SPI_tuptable->tupdesc;
		cells = static_cast<Cell *>(palloc(sizeof(Cell) * (static_cast<Size>(rows) * kColumns + 1)));
		json = makeStringInfo();
		Datum row_values[kColumns];
		bool row_nulls[kColumns];
		for (int row = 0; row < rows; row++) {
			heap_deform_tuple(SPI_tuptable->vals[row], descriptor, row_values, row_nulls);
			for (int column = 0; column < kColumns; column++) {
				Cell &cell = cells[row * kColumns + column];
				cell.data = nullptr;
				cell.number = 0;
				if (row_nulls[column]) {
					cell.length = -1;
					continue;
				}
				switch (column) {
				case kId:
				case kTimeMs:
					cell.number = DatumGetInt64(row_values[column]);
					cell.length = 0;
					break;
				case kUserData:
				case kCustomData:
				case kConsent: {
					const int start = json->len;
					AppendJsonb(json, DatumGetJsonbP(row_values[column]),
					            column == kUserData ? keep_suffix : nullptr);
					cell.number = start; // offset: json->data may move while it grows
					cell.length = json->len - start;
					break;
				}
				default: {
					text *value = DatumGetTextPP(row_values[column]);
					cell.data = VARDATA_ANY(value);
					cell.length = static_cast<int>(VARSIZE_ANY_EXHDR(value));
					break;
				}
				}
			}
		}
	});

	EventRows result;
	result.events.resize(static_cast<std::size_t>(rows));
	result.txids.resize(static_cast<std::size_t>(rows));
	const char *json_base = json != nullptr ? json->data : nullptr;
	for (int row = 0; row < rows; row++) {
		const Cell *cell = &cells[row * kColumns];
		dispatch::OutboxEvent &event = result.events[static_cast<std::size_t>(row)];
		event.outbox_id = cell[kId].number;
		result.txids[static_cast<std::size_t>(row)] = Copy(cell[kTxid], json_base);
		event.event_id = Copy(cell[kEventId], json_base);
		event.event_name = Copy(cell[kEventName], json_base);
		event.event_time_ms = cell[kTimeMs].number;
		event.action_source = Copy(cell[kActionSource], json_base);
		event.event_source_url = Copy(cell[kSourceUrl], json_base);
		event.user_data_json = Copy(cell[kUserData], json_base);
		event.custom_data_json = Copy(cell[kCustomData], json_base);
		event.consent_json = Copy(cell[kConsent], json_base);
	}
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
