#include "pg/guc.hpp"

#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace {

char *default_region_setting = nullptr;

// A region is two ASCII letters (ISO 3166-1 alpha-2), either case.
bool CheckRegion(char **newval, void **extra, GucSource source) {
	const char *value = *newval;
	if (value != nullptr && strlen(value) == 2 && isalpha(static_cast<unsigned char>(value[0])) &&
	    isalpha(static_cast<unsigned char>(value[1])))
		return true;
	GUC_check_errdetail("capi.default_region must be an ISO 3166-1 alpha-2 code such as US or DE.");
	return false;
}

} // namespace

namespace capi::pg {

void DefineSettings() {
	DefineCustomStringVariable("capi.default_region",
	                           "Region (ISO 3166-1 alpha-2) for phone numbers and zips written without a "
	                           "country code.",
	                           "Used when the region argument of capi.normalize, capi.hash or capi.user_data "
	                           "is NULL.",
	                           &default_region_setting, "US", PGC_USERSET, 0, CheckRegion, nullptr, nullptr);
}

const char *DefaultRegion() {
	return default_region_setting != nullptr ? default_region_setting : "US";
}

} // namespace capi::pg
