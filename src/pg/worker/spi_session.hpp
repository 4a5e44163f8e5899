// Short transactions and SPI queries for the delivery worker, callable from C++ code that owns
// live objects: every PostgreSQL call runs inside PgCall, so an ERROR becomes a C++ exception
// (WorkerDbError) after the transaction was rolled back, never a longjmp across C++ frames.
//
// Results are copied out of SPI memory into std::strings before the transaction ends; C++
// containers never hold palloc'd memory.
#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace capi::pg::worker {

// A PostgreSQL error raised inside a worker transaction (already rolled back and logged).
class WorkerDbError : public std::runtime_error {
public:
	explicit WorkerDbError(const std::string &message) : std::runtime_error(message) {}
};

using Value = std::optional<std::string>; // NULL = nullopt
using Row = std::vector<Value>;
using Rows = std::vector<Row>;

// The role the worker's statements run as (created by the extension with only the grants delivery
// needs; docs/security.md).
inline constexpr const char *kWorkerRoleName = "capi_worker";

// Runs body in its own transaction (with SPI connected and a snapshot pushed) as the role
// kWorkerRoleName, and commits. Every statement refuses to run when that role does not exist. On any
// exception the transaction is aborted, a PostgreSQL error is logged at LOG level, and a
// WorkerDbError (or the C++ exception) propagates.
void RunTransaction(const std::function<void()> &body);

// Inside RunTransaction: runs sql with text parameters ($1::type casts in the SQL) and returns the
// rows as text (SPI output functions), all of them.
Rows Query(const char *sql, const std::vector<Value> &parameters = {});

// The parameters as C strings (nullptr for NULL), pointing into `parameters`.
std::vector<const char *> ParameterTexts(const std::vector<Value> &parameters);

// Inside a PgCall body only (PostgreSQL calls, no C++ objects): runs sql with these text parameters
// ($n::type casts in the SQL); all rows are then in SPI_tuptable. Raises ERROR when SPI fails.
void ExecuteWithTextParameters(const char *sql, const char *const *texts, int count);

// Inside RunTransaction: false when the extension is missing, being dropped (its lock is taken) or
// its objects (or the role capi_worker) are not what this library expects. Takes a share lock on the
// extension for the transaction, so DROP EXTENSION waits for this short transaction only.
bool LockExtensionIfPresent();

// Inside RunTransaction, for the rest of it: the planner may read the outbox only by ordered index
// scans (no sequential or bitmap scans, no sorts), whatever its statistics say. A queue's statistics
// are stale by nature; with them the planner may read a whole window and sort it for every claim
// (issue 10: 24,000 instead of 118,000 events/s). The worker's outbox reads are "ORDER BY txid, id
// LIMIT n" over the (txid, id) index: with these settings that index, walked in order, is the plan.
void PinOrderedIndexScans();

// Inside RunTransaction: the installed extension's version (pg_extension.extversion), "" when the
// extension is not installed in this database.
std::string InstalledExtensionVersion();

// Outside transactions: true when someone holds DROP DATABASE's lock on our database.
bool DatabaseBeingDropped();

} // namespace capi::pg::worker
