// Conversions between PostgreSQL text values and std::string_view / palloc'd text.
#pragma once

#include "pg/postgres_headers.hpp"

#include <string_view>

namespace capi::pg {

// A view over a detoasted text argument; valid as long as the datum is.
inline std::string_view TextView(const text *value) {
	return std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
}

// A palloc'd text copy of bytes. It may raise a PostgreSQL ERROR (out of memory): call it with no
// C++ object alive, or through PgCall.
inline text *MakeText(std::string_view bytes) {
	return cstring_to_text_with_len(bytes.data(), static_cast<int>(bytes.size()));
}

} // namespace capi::pg
