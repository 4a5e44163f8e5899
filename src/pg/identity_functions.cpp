// capi.normalize(), capi.hash() and capi.user_data(): the SQL face of src/core/identity.
//
// Pattern (docs/architecture.md): read every argument first (detoasting may raise PostgreSQL
// errors), do the C++ work into a long-lived result buffer (no C++ object with a destructor is left
// on the stack), then build the result datum.
#include "core/identity/field.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/user_data.hpp"

#include "pg/guard.hpp"
#include "pg/guc.hpp"
#include "pg/text.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace {

using capi::identity::Field;
using capi::identity::Platform;

// Reused across calls so that the hot path allocates nothing but the result text. Deliberately
// never freed: no static C++ object with a destructor lives in a backend.
std::string &ResultBuffer() {
	static std::string *buffer = new std::string();
	return *buffer;
}

struct IdentityArguments {
	Field field;
	Platform platform;
	std::string_view value;
	std::string_view region;
};

// Arguments of capi.normalize/capi.hash: (field, value, platform, region). Returns false when
// field, value or platform is NULL (the result is NULL then). Unknown names throw 22023.
bool ReadIdentityArguments(FunctionCallInfo fcinfo, IdentityArguments &args) {
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return false;
	const text *field = PG_GETARG_TEXT_PP(0);
	const text *value = PG_GETARG_TEXT_PP(1);
	const text *platform = PG_GETARG_TEXT_PP(2);
	const text *region = PG_ARGISNULL(3) ? nullptr : PG_GETARG_TEXT_PP(3);
	args.field = capi::identity::ParseField(capi::pg::TextView(field));
	args.platform = capi::identity::ParsePlatform(capi::pg::TextView(platform));
	args.value = capi::pg::TextView(value);
	args.region =
	    region != nullptr ? capi::pg::TextView(region) : std::string_view(capi::pg::DefaultRegion());
	return true;
}

// Builds the platform's object from the identifiers (jsonb rendered as text) and renders it. The text
// is read as the outbox INSERT reads it (size limit, numbers beyond 64-bit integers and doubles are a
// clear 22023).
void RenderUserData(std::string_view identifiers_json, Platform platform, std::string_view region,
                    std::string &out) {
	out = capi::identity::BuildUserData(identifiers_json, platform, region).dump();
}

} // namespace

CAPI_PG_FUNCTION(capi_normalize) {
	IdentityArguments args;
	if (!ReadIdentityArguments(fcinfo, args))
		PG_RETURN_NULL();
	std::string &result = ResultBuffer();
	if (!capi::identity::Normalize(args.field, args.platform, args.value, args.region, result))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(capi::pg::MakeText(result));
}

CAPI_PG_FUNCTION(capi_hash) {
	IdentityArguments args;
	if (!ReadIdentityArguments(fcinfo, args))
		PG_RETURN_NULL();
	std::string &result = ResultBuffer();
	if (!capi::identity::Hash(args.field, args.platform, args.value, args.region, result))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(capi::pg::MakeText(result));
}

CAPI_PG_FUNCTION(capi_user_data) {
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	Jsonb *identifiers = PG_GETARG_JSONB_P(0);
	const text *platform_name = PG_GETARG_TEXT_PP(1);
	const text *region_arg = PG_ARGISNULL(2) ? nullptr : PG_GETARG_TEXT_PP(2);
	const char *identifiers_json = JsonbToCString(nullptr, &identifiers->root, VARSIZE(identifiers));
	Platform platform = capi::identity::ParsePlatform(capi::pg::TextView(platform_name));
	std::string_view region =
	    region_arg != nullptr ? capi::pg::TextView(region_arg) : std::string_view(capi::pg::DefaultRegion());
	std::string &result = ResultBuffer();
	RenderUserData(identifiers_json, platform, region, result);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(result.c_str())));
}
