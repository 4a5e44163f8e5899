// The version of this library: the extension version (pg_capi.control default_version) whose SQL
// objects it was built for. The worker delivers only when the installed extension is at this
// version; otherwise it waits and says why (ALTER EXTENSION pg_capi UPDATE).
#pragma once

namespace capi::pg {

inline constexpr char kLibraryVersion[] = "0.7.0";

} // namespace capi::pg
