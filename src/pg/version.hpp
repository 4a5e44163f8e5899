// The version of this library: the extension version (pg_capi.control default_version) whose SQL
// objects it was built for. The worker delivers only when the installed extension is at this
// version; otherwise it waits and says why (ALTER EXTENSION pg_capi UPDATE).
#pragma once

namespace capi::pg {

// pg_capi.control's default_version, which the Makefile passes to version.cpp alone.
extern const char kLibraryVersion[];

} // namespace capi::pg
