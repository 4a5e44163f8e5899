// Which database cluster the transaction ids in capi's delivery state belong to: the row of
// capi.cluster_identity (extension/pg_capi--0.5.0--0.6.0.sql, "backups"; docs/architecture.md "Backups
// and restores"). After a logical restore from another cluster (or pg_upgrade) it names that cluster
// until capi.rebase_after_restore() rewrites the state for this one.
#pragma once

#include <cstdint>

namespace capi::pg {

struct ClusterIdentity {
	bool installed = false;            // capi.cluster_identity exists (0.6.0 or later)
	bool from_another_cluster = false; // its row names another cluster, or it has none: rebase pending
	std::int64_t recorded_at = 0;      // its recorded_at (TimestampTz): changes with every rebase and
	                                   // every restored cursor
};

// The row, cached per backend until the table changes (its statement trigger sends a relcache
// invalidation). Read through SPI as the current user (capi.cluster_identity is readable by everyone);
// call inside a transaction, with no C++ object alive or through PgCall.
ClusterIdentity CurrentClusterIdentity();

// Runs capi.rebase_after_restore() as `owner` (the outbox's owner): any role that may insert into
// capi.outbox may have to, and EXECUTE is the owner's, capi_admin's and capi_worker's only.
void RebaseAfterRestoreAs(unsigned int owner);

} // namespace capi::pg
