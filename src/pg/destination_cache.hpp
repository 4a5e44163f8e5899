// What the outbox INSERT trigger needs to know of capi.destinations (names and writer_roles), kept per
// backend and read again only after a change: the statement trigger capi.destinations_changed()
// invalidates it in every session (a relcache invalidation of capi.destinations), so the common
// INSERT runs no query for it.
#pragma once

#include "pg/postgres_headers.hpp"

namespace capi::pg {

// For the outbox INSERT trigger, outside any live C++ object (it may raise ERROR). destinations is
// the row's text[] (is_null: SQL NULL).
//   * a named destination that does not exist raises 23503 (a typo would lose the event silently);
//   * a named destination the current role may not send to (writer_roles) raises 42501;
//   * NULL (every destination), when some destination restricts its writer roles, becomes the array
//     of the destinations the role may send to, returned with *replace set; none at all raises 42501.
// With destinations NULL and no restriction anywhere, nothing is looked at per row.
Datum ResolveEventDestinations(Datum destinations, bool is_null, bool *replace);

} // namespace capi::pg
