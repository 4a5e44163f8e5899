// pg_capi's configuration parameters (GUCs), defined in _PG_init.
#pragma once

namespace capi::pg {

// Registers every capi.* setting. Called once from _PG_init.
void DefineSettings();

// capi.default_region: ISO 3166-1 alpha-2 region for phone numbers and zips written without a
// country code (the region argument of capi.normalize/hash/user_data when it is NULL).
const char *DefaultRegion();

} // namespace capi::pg
