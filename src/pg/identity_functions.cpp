// capi.normalize(), capi.hash() and capi.user_data(): the SQL face of src/core/identity.
//
// Pattern (docs/architecture.md): read every argument first (detoasting may raise PostgreSQL
// errors), do the C++ work into a long-lived result buffer (no C++ object with a destructor is left
// on the stack), then build the result datum.
#include "core/identity/field.hpp"
#include "core/error.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/region.hpp"
#include "core/identity/unicode_text.hpp"
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
	capi::identity::Region region{"US", false};
};

// Where the code of a region argument is kept (the arguments hold a view of it). Never freed.
std::string &RegionBuffer() {
	static std::string *buffer = new std::string();
	return *buffer;
}

// The region argument: NULL or blank means capi.default_region (not given); anything else must be a
// region (core/identity/region.hpp), else 22023. The message does not repeat the value: it comes
// from the data.
capi::identity::Region RegionArgument(const text *region) {
	const std::string_view written = region != nullptr ? capi::pg::TextView(region) : std::string_view();
	if (capi::identity::text::Trim(written).empty())
		return capi::identity::Region(capi::pg::DefaultRegion(), capi::pg::DefaultRegionGiven());
	std::string &code = RegionBuffer();
	if (!capi::identity::ResolveRegion(written, code))
		throw capi::Error(capi::sqlstate::kInvalidParameterValue,
		                  "region is not a country: expected an ISO 3166-1 code or a country name",
		                  "Pass a code such as 'US' or 'DEU', a name such as 'Germany', or NULL for "
		                  "capi.default_region; capi.normalize('country', value) shows what is accepted.");
	return capi::identity::Region(code, true);
}

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
	args.region = RegionArgument(region);
	return true;
}

// Builds the platform's object from the identifiers (jsonb rendered as text) and renders it. The text
// is read as the outbox INSERT reads it (size limit, numbers beyond 64-bit integers and doubles are a
// clear 22023).
void RenderUserData(std::string_view identifiers_json, Platform platform, capi::identity::Region region,
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
	const capi::identity::Region region = RegionArgument(region_arg);
	std::string &result = ResultBuffer();
	RenderUserData(identifiers_json, platform, region, result);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(result.c_str())));
}
