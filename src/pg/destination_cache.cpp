// Backend-local copy of capi.destinations' names and writer_roles, for the outbox INSERT trigger.
// Plain C data in its own memory context (no C++ containers: nothing here outlives an ERROR badly).
// Core headers (through guard.hpp) before PostgreSQL's.
#include "core/dispatch/destination.hpp"
#include "core/identity/field.hpp"
#include "core/outbox/standard_event_names.hpp"
#include "pg/guard.hpp"

#include "pg/destination_cache.hpp"
#include "pg/shared_state.hpp"
#include "pg/trigger_protocol.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
}

namespace {

struct CachedDestination {
	char *name;
	int role_count; // -1: writer_roles IS NULL (any writer)
	Oid *roles;
	uint32 platform_bit; // 1 << capi::identity::Platform; 0: unknown platform
	// The event names its config names explicitly (event_map, Google's conversion_actions, LinkedIn's
	// conversion_rules keys) that are standard names in another case: the only ones the INSERT
	// checks need (destination_checks.hpp). Usually none.
	int miscased_count;
	char **miscased;
};

MemoryContext cache_context = nullptr;
CachedDestination *entries = nullptr;
int entry_count = 0;
bool any_restricted = false;
bool cache_valid = false;
bool callback_registered = false;
Oid destinations_relid = InvalidOid;

void Invalidate(Datum, Oid relid) {
	if (relid == InvalidOid || relid == destinations_relid)
		cache_valid = false;
}

void LoadPlatform(CachedDestination *destination, Datum platform, bool is_null) {
	destination->platform_bit = 0;
	if (is_null)
		return;
	text *value = DatumGetTextPP(platform);
	std::optional<capi::identity::Platform> found =
	    capi::identity::FindPlatform(std::string_view(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value)));
	if (found)
		destination->platform_bit = 1u << static_cast<unsigned>(*found);
}

// The keys of config's object members that name outbox event names, kept when they are standard names
// in another case.
void LoadMiscasedNames(CachedDestination *destination, Datum config, bool is_null) {
	destination->miscased_count = 0;
	destination->miscased = nullptr;
	if (is_null)
		return;
	Jsonb *jsonb = DatumGetJsonbP(config);
	if (!JB_ROOT_IS_OBJECT(jsonb))
		return;
	JsonbContainer *maps[3];
	int map_count = 0;
	int key_count = 0;
	for (const char *member : {"event_map", "conversion_actions", "conversion_rules"}) {
		JsonbValue key;
		key.type = jbvString;
		key.val.string.val = const_cast<char *>(member);
		key.val.string.len = static_cast<int>(strlen(member));
		JsonbValue *object = findJsonbValueFromContainer(&jsonb->root, JB_FOBJECT, &key);
		if (object == nullptr || object->type != jbvBinary || !JsonContainerIsObject(object->val.binary.data))
			continue;
		maps[map_count++] = object->val.binary.data;
		key_count += JsonContainerSize(object->val.binary.data);
	}
	for (int m = 0; m < map_count; m++) {
		JsonbIterator *iterator = JsonbIteratorInit(maps[m]);
		JsonbValue value;
		JsonbIteratorToken token;
		while ((token = JsonbIteratorNext(&iterator, &value, true)) != WJB_DONE) {
			if (token != WJB_KEY || !capi::outbox::MiscasedStandardEventName(
			                            std::string_view(value.val.string.val, value.val.string.len)))
				continue;
			if (destination->miscased == nullptr)
				destination->miscased = static_cast<char **>(
				    MemoryContextAllocZero(cache_context, sizeof(char *) * (key_count + 1)));
			char *copy = static_cast<char *>(MemoryContextAlloc(cache_context, value.val.string.len + 1));
			memcpy(copy, value.val.string.val, value.val.string.len);
			copy[value.val.string.len] = '\0';
			destination->miscased[destination->miscased_count++] = copy;
		}
	}
}

// Reads every destination's name, writer_roles, platform and config. The query names no function or
// operator.
void Load() {
	if (!callback_registered) {
		CacheRegisterRelcacheCallback(Invalidate, (Datum)0);
		callback_registered = true;
	}
	if (cache_context == nullptr)
		cache_context =
		    AllocSetContextCreate(CacheMemoryContext, "pg_capi destinations", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(cache_context);
	entries = nullptr;
	entry_count = 0;
	any_restricted = false;
	destinations_relid = get_relname_relid("destinations", get_namespace_oid("capi", false));
	// A library newer than the installed extension (before ALTER EXTENSION UPDATE): no restrictions
	// exist yet, and INSERTs must keep working.
	if (get_attnum(destinations_relid, "writer_roles") == InvalidAttrNumber) {
		cache_valid = true;
		return;
	}

	SPI_connect();
	SPI_execute(
	    "SELECT d.name, d.writer_roles, d.platform, d.config FROM capi.destinations d ORDER BY d.name", true,
	    0);
	const int rows = static_cast<int>(SPI_processed);
	CachedDestination *loaded = static_cast<CachedDestination *>(
	    MemoryContextAllocZero(cache_context, sizeof(CachedDestination) * (rows + 1)));
	for (int i = 0; i < rows; i++) {
		HeapTuple tuple = SPI_tuptable->vals[i];
		TupleDesc descriptor = SPI_tuptable->tupdesc;
		bool is_null = false;
		Datum name = SPI_getbinval(tuple, descriptor, 1, &is_null);
		loaded[i].name = MemoryContextStrdup(cache_context, TextDatumGetCString(name));
		LoadPlatform(&loaded[i], SPI_getbinval(tuple, descriptor, 3, &is_null), is_null);
		LoadMiscasedNames(&loaded[i], SPI_getbinval(tuple, descriptor, 4, &is_null), is_null);
		Datum roles = SPI_getbinval(tuple, descriptor, 2, &is_null);
		loaded[i].role_count = -1;
		if (is_null)
			continue;
		Datum *elements = nullptr;
		bool *nulls = nullptr;
		int count = 0;
		deconstruct_array(DatumGetArrayTypeP(roles), REGROLEOID, sizeof(Oid), true, TYPALIGN_INT, &elements,
		                  &nulls, &count);
		loaded[i].roles =
		    static_cast<Oid *>(MemoryContextAllocZero(cache_context, sizeof(Oid) * (count + 1)));
		loaded[i].role_count = 0;
		for (int k = 0; k < count; k++)
			if (!nulls[k])
				loaded[i].roles[loaded[i].role_count++] = DatumGetObjectId(elements[k]);
		any_restricted = true;
	}
	SPI_finish();
	entries = loaded;
	entry_count = rows;
	cache_valid = true;
}

bool MayWrite(const CachedDestination &destination, Oid role) {
	if (destination.role_count < 0)
		return true;
	for (int i = 0; i < destination.role_count; i++)
		if (has_privs_of_role(role, destination.roles[i]))
			return true;
	return false;
}

const CachedDestination *Find(const char *name) {
	for (int i = 0; i < entry_count; i++)
		if (strcmp(entries[i].name, name) == 0)
			return &entries[i];
	return nullptr;
}

// A typo in destinations would lose the event silently (no destination reads it): refused instead.
[[noreturn]] void RefuseUnknown(const char *destination) {
	StringInfoData known;
	initStringInfo(&known);
	for (int i = 0; i < entry_count && i < 20; i++)
		appendStringInfo(&known, "%s%s", i > 0 ? ", " : "", entries[i].name);
	if (entry_count > 20)
		appendStringInfoString(&known, ", ...");
	ereport(ERROR,
	        (errcode(ERRCODE_FOREIGN_KEY_VIOLATION), errmsg("destination \"%s\" does not exist", destination),
	         entry_count > 0 ? errhint("capi.destinations has: %s.", known.data)
	                         : errhint("capi.destinations is empty: a capi_admin registers destinations.")));
	pg_unreachable();
}

[[noreturn]] void RefuseWriter(const char *destination) {
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
	                destination != nullptr ? errmsg("role \"%s\" may not send events to destination \"%s\"",
	                                                GetUserNameFromId(GetUserId(), false), destination)
	                                       : errmsg("role \"%s\" may not send events to any destination",
	                                                GetUserNameFromId(GetUserId(), false)),
	                errhint("capi.destinations.writer_roles names the roles whose members may send to a "
	                        "destination; a capi_admin sets it.")));
	pg_unreachable();
}

} // namespace

namespace capi::pg {

Datum ResolveEventDestinations(Datum destinations, bool is_null, bool *replace) {
	*replace = false;
	if (!cache_valid)
		Load();
	if (is_null && !any_restricted)
		return destinations;
	const Oid role = GetUserId();
	if (!is_null) {
		Datum *names = nullptr;
		bool *nulls = nullptr;
		int count = 0;
		deconstruct_array(DatumGetArrayTypeP(destinations), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls,
		                  &count);
		for (int i = 0; i < count; i++) {
			if (nulls[i])
				continue; // refused by the row checks
			// A name no destination can have (too long, control characters, ...) is refused without
			// being copied or quoted: it may be megabytes long. Empty ones are the row checks' to refuse.
			const text *given = reinterpret_cast<const text *>(DatumGetPointer(names[i]));
			const std::size_t given_bytes = VARSIZE_ANY_EXHDR(given);
			if (given_bytes > 0 &&
			    !capi::dispatch::IsValidDestinationName(std::string_view(VARDATA_ANY(given), given_bytes)))
				ereport(ERROR,
				        (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				         errmsg("destinations[%d] is not a valid destination name", i + 1),
				         errhint("A destination name is 1 to 63 ASCII letters, digits, '_', '.' or '-'.")));
			const char *name = TextDatumGetCString(names[i]);
			const CachedDestination *destination = Find(name);
			if (destination == nullptr)
				RefuseUnknown(name);
			if (!MayWrite(*destination, role))
				RefuseWriter(name);
		}
		return destinations;
	}
	// NULL = every destination this role may send to: written out when that is not all of them.
	Datum *allowed = static_cast<Datum *>(palloc(sizeof(Datum) * (entry_count + 1)));
	int allowed_count = 0;
	for (int i = 0; i < entry_count; i++)
		if (MayWrite(entries[i], role))
			allowed[allowed_count++] = CStringGetTextDatum(entries[i].name);
	if (allowed_count == entry_count)
		return destinations;
	if (allowed_count == 0)
		RefuseWriter(nullptr);
	*replace = true;
	return PointerGetDatum(construct_array(allowed, allowed_count, TEXTOID, -1, false, TYPALIGN_INT));
}

void DescribeEventTargets(Datum destinations, bool all, const char *event_name, int event_name_length,
                          uint32 *platform_bits, bool *name_in_config) {
	*platform_bits = 0;
	*name_in_config = false;
	if (!cache_valid)
		Load();
	auto add = [&](const CachedDestination &destination) {
		*platform_bits |= destination.platform_bit;
		for (int k = 0; k < destination.miscased_count && !*name_in_config; k++)
			*name_in_config = strlen(destination.miscased[k]) == static_cast<size_t>(event_name_length) &&
			                  memcmp(destination.miscased[k], event_name, event_name_length) == 0;
	};
	if (all) {
		for (int i = 0; i < entry_count; i++)
			add(entries[i]);
		return;
	}
	Datum *names = nullptr;
	bool *nulls = nullptr;
	int count = 0;
	deconstruct_array(DatumGetArrayTypeP(destinations), TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls,
	                  &count);
	for (int i = 0; i < count; i++) {
		if (nulls[i])
			continue;
		const CachedDestination *destination = Find(TextDatumGetCString(names[i]));
		if (destination != nullptr)
			add(*destination);
	}
}

} // namespace capi::pg

// capi.destinations' statement trigger: every session re-reads the destinations at its next use
// (relcache invalidation, sent at commit), and the worker is woken to reload them.
CAPI_PG_FUNCTION(capi_destinations_changed) {
	TriggerData *trigger = capi::pg::RequireTriggerCall(fcinfo, "capi.destinations_changed()");
	CacheInvalidateRelcache(trigger->tg_relation);
	capi::pg::WakeWorkerAtCommit(true);
	return PointerGetDatum(nullptr);
}
