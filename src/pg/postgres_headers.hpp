// The one place the glue includes PostgreSQL's C headers: with C linkage, postgres.h first.
// Files in src/core never include this (src/core/cpp_only.hpp enforces it).
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/elog.h"
#include "utils/memutils.h"
}

#if PG_VERSION_NUM < 130000
#error "pg_capi requires PostgreSQL 13 or later"
#endif

// PostgreSQL 16 moved the varlena macros (VARDATA_ANY, ...) to varatt.h.
#if PG_VERSION_NUM >= 160000
extern "C" {
#include "varatt.h"
}
#endif
