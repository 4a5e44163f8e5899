// capi.setup_warnings(): the reasons this database's outbox would not be delivered, as text[]
// (empty when none): no preload, another capi.database, delivery state restored and not rebased.
// Plain PostgreSQL calls only: no C++ object lives in the body.
#include "pg/guard.hpp"

#include "pg/cluster_identity.hpp"
#include "pg/guc.hpp"
#include "pg/setup_check.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace {

// Set in the postmaster before it forks, so every backend of a preloading server sees it.
bool loaded_by_preload = false;

} // namespace

namespace capi::pg {

void NoteLoadedByPreload() {
	loaded_by_preload = true;
}

} // namespace capi::pg

CAPI_PG_FUNCTION(capi_setup_warnings) {
	Datum warnings[3];
	int count = 0;
	if (!loaded_by_preload)
		warnings[count++] = CStringGetTextDatum(
		    "pg_capi is not in shared_preload_libraries: the delivery worker does not run and nothing is "
		    "delivered (the identity functions work); add it to postgresql.conf and restart the server");
	const char *served = capi::pg::CurrentWorkerSettings().database;
	const char *here = get_database_name(MyDatabaseId);
	if (here != nullptr && strcmp(served, here) != 0)
		warnings[count++] = CStringGetTextDatum(
		    psprintf("the delivery worker serves the database \"%s\" (capi.database), not \"%s\": events "
		             "inserted here are not delivered; set capi.database = '%s' and reload, or use pg_capi "
		             "in \"%s\"",
		             served, here, here, served));
	if (capi::pg::CurrentClusterIdentity().from_another_cluster)
		warnings[count++] = CStringGetTextDatum(
		    "the delivery state in capi was restored from another database cluster and is not rebased yet: "
		    "nothing is delivered until the worker rebases it (after a restore made in one transaction) or "
		    "a capi_admin runs SELECT capi.rebase_after_restore() once the restore is complete");
	PG_RETURN_ARRAYTYPE_P(construct_array(warnings, count, TEXTOID, -1, false, TYPALIGN_INT));
}
