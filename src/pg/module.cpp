// Module entry: the magic block and _PG_init (GUC registration; later, the background worker).
#include "pg/guc.hpp"
#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) {
	capi::pg::DefineSettings();

	// Reserve the "capi." prefix so that a misspelt setting is reported instead of silently ignored.
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("capi");
#else
	EmitWarningsOnPlaceholders("capi");
#endif
}
