// capi.match_quality() and the per-row functions of capi.match_quality_report and capi.dedup_audit:
// the SQL face of src/core/quality (docs/match-quality.md).
//
// Pattern (docs/architecture.md): arguments are read first; the C++ work runs with no PostgreSQL call
// except through PgCall (reading a stored jsonb by key); result datums are built after.
#include "core/identity/field.hpp"
#include "core/quality/event_id_fitness.hpp"
#include "core/quality/match_keys.hpp"
#include "core/quality/match_report.hpp"

#include "pg/guard.hpp"
#include "pg/guc.hpp"
#include "pg/text.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
}

namespace {

using capi::identity::Platform;
using capi::quality::KeyState;

std::string &ResultBuffer() {
	static std::string *buffer = new std::string(); // never freed: no static destructor in a backend
	return *buffer;
}

// A stored identity bag read in place: each probe is a binary search of the jsonb object's keys, no
// rendering and no parsing. Values palloc'd by the lookups live in the caller's (per-row) context.
class JsonbBag final : public capi::quality::StoredValues {
public:
	explicit JsonbBag(JsonbContainer *root) : root_(root) {}

	KeyState Probe(std::string_view key, capi::quality::ValueTest usable) const override {
		return capi::pg::PgCall([&] { return ProbeUnguarded(key, usable); });
	}

private:
	KeyState ProbeUnguarded(std::string_view key, capi::quality::ValueTest usable) const {
		if (root_ == nullptr || !JsonContainerIsObject(root_))
			return KeyState::kAbsent;
		JsonbValue wanted;
		wanted.type = jbvString;
		wanted.val.string.val = const_cast<char *>(key.data());
		wanted.val.string.len = static_cast<int>(key.size());
		JsonbValue *found = findJsonbValueFromContainer(root_, JB_FOBJECT, &wanted);
		if (found == nullptr)
			return KeyState::kAbsent;
		if (found->type == jbvString)
			return usable(View(*found)) ? KeyState::kUsable : KeyState::kUnusable;
		if (found->type == jbvBinary && JsonContainerIsArray(found->val.binary.data)) {
			JsonbContainer *array = found->val.binary.data;
			const uint32 count = JsonContainerSize(array);
			for (uint32 i = 0; i < count; i++) {
				JsonbValue *element = getIthJsonbValueFromContainer(array, i);
				if (element != nullptr && element->type == jbvString && usable(View(*element)))
					return KeyState::kUsable;
			}
		}
		return KeyState::kUnusable;
	}

	static std::string_view View(const JsonbValue &value) {
		return std::string_view(value.val.string.val, static_cast<std::size_t>(value.val.string.len));
	}

	JsonbContainer *root_;
};

Platform PlatformArgument(FunctionCallInfo fcinfo, int argument) {
	return capi::identity::ParsePlatform(capi::pg::TextView(PG_GETARG_TEXT_PP(argument)));
}

} // namespace

// capi.match_quality(user_data jsonb, platform text DEFAULT 'meta') RETURNS jsonb (STRICT).
CAPI_PG_FUNCTION(capi_match_quality) {
	Jsonb *user_data = PG_GETARG_JSONB_P(0);
	const text *platform_name = PG_GETARG_TEXT_PP(1);
	const char *user_data_json = JsonbToCString(nullptr, &user_data->root, VARSIZE(user_data));
	std::string_view region(capi::pg::DefaultRegion());
	std::string &result = ResultBuffer();
	{
		const Platform platform = capi::identity::ParsePlatform(capi::pg::TextView(platform_name));
		result = capi::quality::MatchQualityReport(user_data_json, platform, region).dump();
	}
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(result.c_str())));
}

// capi.match_keys(user_data jsonb, unusable_identifiers text[], platform text) RETURNS bigint: the packed
// presence of core/quality/match_keys.hpp (PackPresence). NULL user_data or unusable_identifiers mean
// none; a NULL platform gives NULL.
CAPI_PG_FUNCTION(capi_match_keys) {
	if (PG_ARGISNULL(2))
		PG_RETURN_NULL();
	JsonbContainer *root = nullptr;
	if (!PG_ARGISNULL(0))
		root = &PG_GETARG_JSONB_P(0)->root;
	Datum *names = nullptr;
	bool *name_nulls = nullptr;
	int name_count = 0;
	if (!PG_ARGISNULL(1))
		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &names, &name_nulls,
		                  &name_count);
	for (int i = 0; i < name_count; i++)
		if (!name_nulls[i])
			names[i] = PointerGetDatum(PG_DETOAST_DATUM_PACKED(names[i]));
	std::int64_t packed = 0;
	{
		const Platform platform = PlatformArgument(fcinfo, 2);
		const JsonbBag bag(root);
		capi::quality::Presence presence = capi::quality::Evaluate(bag, platform);
		for (int i = 0; i < name_count; i++)
			if (!name_nulls[i])
				capi::quality::AddRecordedUnusable(
				    capi::pg::TextView(reinterpret_cast<const text *>(DatumGetPointer(names[i]))), platform,
				    presence);
		packed = capi::quality::PackPresence(presence, platform);
	}
	PG_RETURN_INT64(packed);
}

// capi.match_score(match_keys bigint, platform text) RETURNS real (STRICT): 0 to 10.
CAPI_PG_FUNCTION(capi_match_score) {
	const std::int64_t packed = PG_GETARG_INT64(0);
	const Platform platform = PlatformArgument(fcinfo, 1);
	const int milli = capi::quality::ScoreMilli(capi::quality::UnpackPresence(packed).usable, platform);
	PG_RETURN_FLOAT4(static_cast<float4>(milli) / 1000.0f);
}

// capi.match_keys_used(platform text) RETURNS integer (STRICT): the bits of the keys it sends.
CAPI_PG_FUNCTION(capi_match_keys_used) {
	PG_RETURN_INT32(static_cast<int32>(capi::quality::SentKeys(PlatformArgument(fcinfo, 0))));
}

// capi.event_id_problem(event_id text, event_time timestamptz) RETURNS text: NULL when the id is fit
// for browser-pixel deduplication, else why not (core/quality/event_id_fitness.hpp). A NULL event_id
// is "blank"; without event_time no number is taken for a time.
CAPI_PG_FUNCTION(capi_event_id_problem) {
	std::string_view event_id;
	if (!PG_ARGISNULL(0))
		event_id = capi::pg::TextView(PG_GETARG_TEXT_PP(0));
	std::optional<std::int64_t> event_time_ms;
	if (!PG_ARGISNULL(1))
		event_time_ms = capi::pg::FiniteUnixMilliseconds(PG_GETARG_TIMESTAMPTZ(1));
	std::optional<std::string_view> problem = capi::quality::EventIdProblem(event_id, event_time_ms);
	if (!problem)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(capi::pg::MakeText(*problem)); // a static name
}
