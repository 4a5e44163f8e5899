// Included last by every header in src/core: the core is pure C++ and must never see
// PostgreSQL headers (their macros — elog, Assert, foreach, ERROR — would leak into C++ code).
// Glue files in src/pg therefore include core headers before any PostgreSQL header.
#pragma once

#if defined(POSTGRES_H)
static_assert(false, "src/core must not include PostgreSQL headers");
#endif
