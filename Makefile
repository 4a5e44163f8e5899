# pg_capi — PGXS build of the extension (pg_capi.so, control file, install scripts), its tests against
# the installed extension (`make installcheck`: pg_regress, then the TAP tests) and developer targets
# (unit, format, format-check).
#
# The PostgreSQL-independent core (src/core) has one build definition, CMakeLists.txt: this Makefile
# has CMake build it once into build/libcapi_core.a (position-independent) and links that archive,
# with the libraries CMake found for it (build/capi_core_link.txt), into pg_capi.so. The unit tests
# link the same archive. Only the glue (src/pg) is compiled here.

EXTENSION = pg_capi
MODULE_big = pg_capi

# Every .cpp under src/pg, at any depth.
OBJS = $(patsubst %.cpp,%.o,$(shell find src/pg -name '*.cpp' | LC_ALL=C sort))

# Install scripts: the first release plus the upgrade chain. CREATE EXTENSION of the default
# version runs the chain, so a fresh install and an upgraded one are the same by construction.
DATA = $(sort $(wildcard extension/pg_capi--*.sql))

# `make installcheck` runs pg_regress (sql/, expected/) and then the TAP tests (test/t, PGXS's
# TAP_TESTS). Naming tests runs only those: `make installcheck REGRESS="a b"` (no TAP tests),
# `make installcheck PROVE_TESTS=test/t/010_delivery.pl` (no pg_regress), or both.
# `make prove_installcheck [PROVE_TESTS=...]` runs only TAP tests, as in pgvector.
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=pg_capi
TAP_TESTS = 1
ifneq ($(origin REGRESS)$(origin PROVE_TESTS),fileundefined)
ifneq ($(origin REGRESS),command line)
REGRESS =
endif
ifneq ($(origin PROVE_TESTS),command line)
ifneq ($(origin TAP_TESTS),command line)
TAP_TESTS =
endif
endif
endif

PG_CONFIG ?= pg_config

# Warnings are errors in CI (ERROR_ON_WARNING=1, the default of scripts/test), for the glue here and
# for the core (CMake's CAPI_WERROR).
WARNINGS = -Wall -Wextra -Wshadow -Wno-missing-field-initializers -Wno-unused-parameter
ifeq ($(ERROR_ON_WARNING),1)
WARNINGS += -Werror
endif

PG_CPPFLAGS = -Isrc $(shell pkg-config --cflags icu-uc icu-i18n libcurl)
# PostgreSQL headers use the C "register" keyword, which C++17 rejects.
PG_CXXFLAGS = -std=c++17 -MMD -MP $(WARNINGS) -Wno-register

CAPI_BUILD = build
CAPI_CORE_LIB = $(CAPI_BUILD)/libcapi_core.a
# Read when the link runs, after CMake has written it.
SHLIB_LINK = $(CAPI_CORE_LIB) $(shell cat $(CAPI_BUILD)/capi_core_link.txt) -lstdc++

# Before the include: PGXS tests it with ifdef. build/ holds the core and the unit tests.
EXTRA_CLEAN = $(OBJS:.o=.d) $(CAPI_BUILD)

# JIT bitcode for an HTTP/hashing extension is pointless, and clang-14 would need our C++ flags.
override with_llvm = no

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

-include $(OBJS:.o=.d)

# The library's version is the control file's default_version, read here and nowhere else
# (src/pg/version.cpp).
CAPI_VERSION := $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(EXTENSION).control)
ifeq ($(CAPI_VERSION),)
$(error no default_version in $(EXTENSION).control)
endif
src/pg/version.o: $(EXTENSION).control
src/pg/version.o: override CPPFLAGS += -DCAPI_LIBRARY_VERSION='"$(CAPI_VERSION)"'

# CMake configures build/ once; again when ERROR_ON_WARNING is given and the cache says otherwise.
CAPI_WERROR = $(if $(filter 1,$(ERROR_ON_WARNING)),ON,OFF)
define capi_cmake_configure
@if grep -qx 'CAPI_SANITIZE:BOOL=ON' $(CAPI_BUILD)/CMakeCache.txt 2>/dev/null; then \
	echo "$(CAPI_BUILD)/ is a sanitizer build; pg_capi.so needs the plain core: rm -rf $(CAPI_BUILD)" >&2; exit 1; fi
@if [ ! -f $(CAPI_BUILD)/CMakeCache.txt ] $(if $(ERROR_ON_WARNING),|| ! grep -qx 'CAPI_WERROR:BOOL=$(CAPI_WERROR)' $(CAPI_BUILD)/CMakeCache.txt); then \
	cmake -S . -B $(CAPI_BUILD) -DCAPI_WERROR=$(CAPI_WERROR) >/dev/null; fi
endef

# Always asks CMake (quick when nothing changed); the `+` lets its make share this make's -j slots.
# The .so is relinked only when the archive's time stamp changed.
$(CAPI_CORE_LIB): FORCE
	$(capi_cmake_configure)
	+cmake --build $(CAPI_BUILD) --target capi_core
$(shlib): $(CAPI_CORE_LIB)

# The TAP tests start the loopback ad-platform server (test/server), built by CMake.
$(CAPI_BUILD)/capi_test_server: FORCE
	$(capi_cmake_configure)
	+cmake --build $(CAPI_BUILD) --target capi_test_server

# scripts/tap runs prove as PGXS's prove_installcheck does, from a copy of test/ that the postgres OS
# user can read, as that user when run by root (initdb refuses root). PROVE_FLAGS=-v for verbose.
define prove_installcheck
PROVE_FLAGS='$(PROVE_FLAGS)' scripts/tap $(PROVE_TESTS)
endef
ifdef TAP_TESTS
installcheck: $(CAPI_BUILD)/capi_test_server
endif
prove_installcheck: $(CAPI_BUILD)/capi_test_server
	$(prove_installcheck)

.PHONY: FORCE unit format format-check prove_installcheck
FORCE:

# GoogleTest unit tests of src/core (CMake + ctest).
unit:
	$(capi_cmake_configure)
	cmake --build $(CAPI_BUILD) -j2
	cd $(CAPI_BUILD) && ctest --output-on-failure

FORMAT_FILES = $(shell git ls-files '*.cpp' '*.hpp' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)
