// The library's version, from pg_capi.control: the Makefile reads default_version and defines
// CAPI_LIBRARY_VERSION for this file only (and recompiles it when the control file changes).
#include "pg/version.hpp"

#ifndef CAPI_LIBRARY_VERSION
#error "CAPI_LIBRARY_VERSION is not defined: build with the Makefile, which reads pg_capi.control"
#endif

namespace capi::pg {

const char kLibraryVersion[] = CAPI_LIBRARY_VERSION;

} // namespace capi::pg
