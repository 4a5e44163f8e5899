// What the outbox INSERT trigger needs to know of capi.destinations (names, writer_roles, platforms and
// the event names their configs map), kept per
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

// For the INSERT checks that depend on an event's destinations (core/outbox/destination_checks.hpp):
// the platforms of its destinations (all: every destination, else those named in the text[]
// destinations) as bits 1 << capi::identity::Platform, and whether one of them names event_name in its
// config (only standard names in another case are looked for). Call after ResolveEventDestinations.
void DescribeEventTargets(Datum destinations, bool all, const char *event_name, int event_name_length,
                          uint32 *platform_bits, bool *name_in_config);

} // namespace capi::pg
