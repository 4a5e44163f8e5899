// capi.destinations' row trigger: a destination is checked when it is saved, not when the worker
// first tries it. The platform's adapter checks config, credentials and the endpoint override's
// form; the HTTP policy checks its scheme and host (http:// only to loopback); the endpoint policy
// checks that its host is the platform's own or in capi.allowed_endpoint_hosts (when the endpoint
// or platform is set or changed: an UPDATE of other columns, e.g. to disable a destination, is not
// refused because the setting was narrowed since; the worker pauses such a destination). Error
// messages name the destination and key, never a credential value. A credential naming a file
// ({"file": "<name>"}, core/dispatch/credential_files.hpp) is checked for its form only: the file is
// read by the worker, never here (so a capi_admin learns nothing about the directory's files).
#include "core/dispatch/adapter.hpp"
#include "core/dispatch/credential_files.hpp"
#include "core/dispatch/destination.hpp"
#include "core/dispatch/endpoint_policy.hpp"
#include "core/http/url.hpp"
#include "core/outbox/row_validation.hpp"

#include "pg/guc.hpp"

#include "pg/guard.hpp"
#include "pg/text.hpp"
#include "pg/trigger_protocol.hpp"

extern "C" {
#include "access/detoast.h"
#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/jsonb.h"
}

namespace {

constexpr std::size_t kMaxJsonBytes = capi::dispatch::kMaxDestinationJsonBytes;
constexpr std::size_t kMaxTextBytes = capi::dispatch::kMaxDestinationTextBytes;

// A text or jsonb column as a NUL-terminated palloc'd string, or nullptr for NULL. A value larger
// than max_bytes (for jsonb: of JSON text) is refused (54000) before it is detoasted or rendered:
// from its stored size first (toast_raw_datum_size reads a toast pointer's header; jsonb's binary
// form is at most kMaxJsonbBytesPerTextByte times its text), then, for jsonb, from its text.
const char *ReadColumn(HeapTuple tuple, TupleDesc descriptor, const char *name, bool is_jsonb,
                       std::size_t max_bytes) {
	int number = SPI_fnumber(descriptor, name);
	if (number <= 0)
		ereport(ERROR,
		        (errcode(ERRCODE_UNDEFINED_COLUMN), errmsg("capi.destinations has no column \"%s\"", name)));
	bool is_null = false;
	Datum value = heap_getattr(tuple, number, descriptor, &is_null);
	if (is_null)
		return nullptr;
	const std::size_t stored = toast_raw_datum_size(value) - VARHDRSZ;
	capi::dispatch::RequireDestinationColumnSize( // throws; no C++ object lives yet
	    name, is_jsonb ? stored / capi::outbox::kMaxJsonbBytesPerTextByte : stored, max_bytes);
	if (is_jsonb) {
		Jsonb *jsonb = DatumGetJsonbP(value);
		const char *text = JsonbToCString(nullptr, &jsonb->root, VARSIZE(jsonb));
		capi::dispatch::RequireDestinationColumnSize(name, strlen(text), max_bytes);
		return text;
	}
	return TextDatumGetCString(value);
}

bool SameText(const char *a, const char *b) {
	return (a == nullptr && b == nullptr) || (a != nullptr && b != nullptr && strcmp(a, b) == 0);
}

// allowed_hosts: capi.allowed_endpoint_hosts, or nullptr not to check the endpoint policy. Returns
// true when the credentials name a credential file.
bool ValidateDestination(const char *name, const char *platform, const char *config, const char *credentials,
                         const char *endpoint, const char *allowed_hosts) {
	capi::dispatch::Destination destination;
	destination.name = name != nullptr ? name : "";
	destination.platform = capi::identity::ParsePlatform(platform != nullptr ? platform : "");
	destination.config_json = config != nullptr ? config : "";
	destination.credentials_json = credentials != nullptr ? credentials : "";
	destination.endpoint_override = endpoint != nullptr ? endpoint : "";
	destination.credentials_json = capi::dispatch::CredentialFilesAsPlaceholders(destination);
	if (!destination.endpoint_override.empty())
		capi::http::RequireAllowedUrl(destination.endpoint_override + "/");
	const capi::dispatch::PlatformAdapter &adapter = capi::dispatch::AdapterFor(destination.platform);
	adapter.Validate(destination);
	if (allowed_hosts != nullptr)
		capi::dispatch::RequireAllowedEndpoint(destination, adapter, allowed_hosts);
	return destination.credentials_json != (credentials != nullptr ? credentials : "");
}

// The table's NOT NULL and CHECK constraints would report a violation with the whole failing row in
// the DETAIL, credentials included (and the server log keeps it). The trigger runs first, so it makes
// those checks itself, with messages that name the column only.
void RequireNotNullColumns(HeapTuple tuple, TupleDesc descriptor) {
	for (int i = 0; i < descriptor->natts; i++) {
		Form_pg_attribute attribute = TupleDescAttr(descriptor, i);
		if (attribute->attisdropped || !attribute->attnotnull || !heap_attisnull(tuple, i + 1, descriptor))
			continue;
		ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
		                errmsg("capi.destinations.%s must not be NULL", NameStr(attribute->attname))));
	}
}

} // namespace

CAPI_PG_FUNCTION(capi_destinations_row_trigger) {
	TriggerData *trigger = capi::pg::RequireBeforeRowTrigger(fcinfo, "capi.destinations_row_trigger()");
	HeapTuple tuple =
	    TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
	if (TRIGGER_FIRED_BY_DELETE(trigger->tg_event))
		return PointerGetDatum(tuple);
	TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
	RequireNotNullColumns(tuple, descriptor);
	const char *name = ReadColumn(tuple, descriptor, "name", false, kMaxTextBytes);
	if (name != nullptr)
		capi::dispatch::RequireValidDestinationName(name); // throws; no C++ object lives yet
	const char *platform = ReadColumn(tuple, descriptor, "platform", false, kMaxTextBytes);
	// Only the exact lower-case name: the table's CHECK constraint would refuse "META" with the whole
	// row, credentials included, in its DETAIL (and the server log).
	if (platform != nullptr &&
	    capi::identity::PlatformName(capi::identity::ParsePlatform(platform)) != std::string_view(platform))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("unknown platform \"%s\"", platform),
		                errhint("Platforms are written in lower case: meta, google, tiktok, linkedin, snap, "
		                        "reddit, pinterest.")));
	const char *config = ReadColumn(tuple, descriptor, "config", true, kMaxJsonBytes);
	const char *credentials = ReadColumn(tuple, descriptor, "credentials", true, kMaxJsonBytes);
	const char *endpoint = ReadColumn(tuple, descriptor, "endpoint", false, kMaxTextBytes);
	bool endpoint_set = true;
	if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
		HeapTuple old_tuple = trigger->tg_trigtuple;
		endpoint_set =
		    !SameText(endpoint, ReadColumn(old_tuple, descriptor, "endpoint", false, kMaxTextBytes)) ||
		    !SameText(platform, ReadColumn(old_tuple, descriptor, "platform", false, kMaxTextBytes));
	}
	const char *allowed_hosts = endpoint_set ? capi::pg::AllowedEndpointHosts() : nullptr;
	// throws; C++ objects unwind
	const bool names_files =
	    ValidateDestination(name, platform, config, credentials, endpoint, allowed_hosts);
	if (names_files && capi::pg::CredentialsDirectory()[0] == '\0')
		ereport(WARNING,
		        (errmsg("destination \"%s\" names a credential file, but capi.credentials_directory is "
		                "not set",
		                name),
		         errdetail("The worker pauses the destination until a superuser sets it."),
		         errhint("Set capi.credentials_directory in postgresql.conf (or ALTER SYSTEM) and "
		                 "reload.")));
	return PointerGetDatum(tuple);
}
