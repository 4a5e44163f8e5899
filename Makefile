# pg_capi — PGXS build of the extension (pg_capi.so, control file, install scripts),
# pg_regress via `make installcheck`, and developer targets (unit, format, format-check).
#
# The PostgreSQL-independent core in src/core is compiled into pg_capi.so here and, separately,
# into a static library with its GoogleTest unit tests by CMake (see CMakeLists.txt, `make unit`).

EXTENSION = pg_capi
MODULE_big = pg_capi

# Every .cpp under src/core and src/pg, at any depth (src/core/platforms/<name>/...). CMakeLists.txt
# globs src/core the same way; `make check-sources` (run by scripts/test) proves the two lists agree.
CORE_SRCS := $(shell find src/core -name '*.cpp' | LC_ALL=C sort)
PG_SRCS := $(shell find src/pg -name '*.cpp' | LC_ALL=C sort)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)

# Install scripts: the first release plus the upgrade chain. CREATE EXTENSION of the default
# version runs the chain, so a fresh install and an upgraded one are the same by construction.
DATA = $(sort $(wildcard extension/pg_capi--*.sql))

REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=pg_capi

PG_CONFIG ?= pg_config

# Warnings are errors in CI (ERROR_ON_WARNING=1, the default of scripts/test).
WARNINGS = -Wall -Wextra -Wshadow -Wno-missing-field-initializers -Wno-unused-parameter
ifeq ($(ERROR_ON_WARNING),1)
WARNINGS += -Werror
endif
# ASSERTS=1 turns on Assert() in our glue and the C++ core's internal checks.
ifeq ($(ASSERTS),1)
ASSERT_FLAGS = -DUSE_ASSERT_CHECKING -DCAPI_ASSERTS=1
endif

PG_CPPFLAGS = -Isrc $(ASSERT_FLAGS) $(shell pkg-config --cflags icu-uc icu-i18n libcurl)
# PostgreSQL headers use the C "register" keyword, which C++17 rejects.
PG_CXXFLAGS = -std=c++17 -MMD -MP $(WARNINGS) -Wno-register
SHLIB_LINK = -lphonenumber -lprotobuf -lsimdjson $(shell pkg-config --libs icu-uc icu-i18n libcurl) -lssl -lcrypto -lstdc++

# JIT bitcode for an HTTP/hashing extension is pointless, and clang-14 would need our C++ flags.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)

EXTRA_CLEAN = $(OBJS:.o=.d) build

.PHONY: unit format format-check check-sources
# GoogleTest unit tests of src/core (CMake + ctest).
unit:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPI_WERROR=$(if $(ERROR_ON_WARNING),ON,OFF) >/dev/null
	cmake --build build -j2
	cd build && ctest --output-on-failure

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

# Fails when CMake's capi_core sources (build/core_sources.txt, written at configure time) differ
# from CORE_SRCS: a file one build compiles and the other silently drops.
check-sources:
	@cmake -S . -B build >/dev/null
	@printf '%s\n' $(CORE_SRCS) | diff -u - build/core_sources.txt || \
		{ echo "Makefile and CMakeLists.txt disagree on the src/core sources" >&2; exit 1; }
