// What the outbox INSERT trigger needs to know of capi.destinations (names and writer_roles), kept per
// backend and read again only after a change: the statement trigger capi.destinations_changed()
// invalidates it in every session (a relcache invalidation of capi.destinations), so the common
// INSERT runs no query for it.
#pragma once

#include "pg/postgres_headers.hpp"

namespace capi::pg {

// For the outbox INSERT trigger, outside any live C++ object (it may raise ERROR). destinations is
// the row's text[] (is_null: SQL NULL). When some destination restricts its writer roles:
//   * a named destination the current role may not send to raises 42501;
//   * NULL (every destination) becomes the array of the destinations the role may send to, returned
//     with *replace set; none at all raises 42501.
// Otherwise nothing is read per row and *replace stays false.
Datum RestrictToWriterDestinations(Datum destinations, bool is_null, bool *replace);

} // namespace capi::pg
