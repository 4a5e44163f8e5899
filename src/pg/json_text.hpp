// JSON text written into a StringInfo (the worker's event reader renders jsonb this way), with the
// project's one string escaper (core/dispatch/json_writer.hpp).
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "lib/stringinfo.h"
}

namespace capi::pg {

// Appends length bytes of text (valid UTF-8) as a JSON string literal, quotes included. Raises a
// PostgreSQL ERROR only when out cannot grow (out of memory).
void AppendJsonString(StringInfo out, const char *text, int length);

} // namespace capi::pg
