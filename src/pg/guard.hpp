// The C++ <-> PostgreSQL boundary, written once and used by every entry point.
//
//  * InvokeCpp: runs the C++ body of an fmgr function. No C++ exception escapes it: each one is
//    caught, its message copied to the stack, and only after the catch block has ended (so every
//    C++ object is destroyed) re-raised as ereport(ERROR) with the SQLSTATE the core chose. A
//    capi::Interrupted (the core saw InterruptPending) becomes PostgreSQL's own cancel or
//    terminate, through CHECK_FOR_INTERRUPTS.
//  * PgCall: runs a PostgreSQL call from code that owns live C++ objects. A PostgreSQL ERROR inside
//    it longjmps only as far as PgCall's own sigsetjmp, becomes a C++ PgError, and unwinds
//    normally (destructors run); InvokeCpp then re-throws the original PostgreSQL error.
//
// Rules (docs/architecture.md): fmgr bodies use CAPI_PG_FUNCTION; any PostgreSQL call made while a
// C++ object with a destructor is alive goes through PgCall; src/core never calls PostgreSQL.
#pragma once

// Core headers come before PostgreSQL's, so PostgreSQL macros never reach C++ core code
// (src/core/cpp_only.hpp fails the build otherwise).
#include "core/error.hpp"
#include "core/interrupt.hpp"

#include <csetjmp>
#include <cstring>
#include <exception>
#include <new>
#include <type_traits>

#include "pg/postgres_headers.hpp"

extern "C" {
#include "miscadmin.h" // InterruptPending, CHECK_FOR_INTERRUPTS
}

namespace capi::pg {

// A PostgreSQL error caught by PgCall, carried through C++ frames as an exception.
class PgError : public std::exception {
public:
	explicit PgError(ErrorData *error_data) : error_data_(error_data) {}
	ErrorData *error_data() const noexcept { return error_data_; }
	const char *what() const noexcept override {
		return error_data_->message != nullptr ? error_data_->message : "PostgreSQL error";
	}

private:
	ErrorData *error_data_; // palloc'd in the caller's memory context by CopyErrorData
};

template <typename Fn> auto PgCall(Fn &&fn) -> decltype(fn()) {
	sigjmp_buf *const saved_exception_stack = PG_exception_stack;
	ErrorContextCallback *const saved_error_context = error_context_stack;
	const MemoryContext caller_context = CurrentMemoryContext;
	sigjmp_buf local_jump;
	if (sigsetjmp(local_jump, 0) == 0) {
		PG_exception_stack = &local_jump;
		if constexpr (std::is_void_v<decltype(fn())>) {
			fn();
			PG_exception_stack = saved_exception_stack;
			return;
		} else {
			auto result = fn();
			PG_exception_stack = saved_exception_stack;
			return result;
		}
	}
	PG_exception_stack = saved_exception_stack;
	error_context_stack = saved_error_context;
	MemoryContextSwitchTo(caller_context);
	ErrorData *error_data = CopyErrorData();
	FlushErrorState();
	throw PgError(error_data);
}

// Converts the core's five-character SQLSTATE into PostgreSQL's packed form.
inline int PackSqlState(const char *code) {
	if (code == nullptr || std::strlen(code) != 5)
		return ERRCODE_INTERNAL_ERROR;
	return MAKE_SQLSTATE(code[0], code[1], code[2], code[3], code[4]);
}

// Copies an exception message into a fixed stack buffer: no allocation inside a catch block.
inline void CopyMessage(char *buffer, std::size_t size, const char *message) {
	std::strncpy(buffer, message != nullptr ? message : "", size - 1);
	buffer[size - 1] = '\0';
}

// The core's interrupt poll (core/interrupt.hpp), installed at module load: PostgreSQL's own flag,
// set by its signal handlers for a cancel, a statement_timeout or a terminate request.
inline bool InterruptIsPending() {
	return InterruptPending;
}

// After the core stopped for a pending interrupt: PostgreSQL raises the error it stands for (57014 for
// a cancel or statement_timeout, 57P01 for a terminate). Should the flag have been cleared meanwhile,
// or interrupts be held off, the statement is still cancelled here rather than resumed.
[[noreturn]] inline void RaiseInterrupt() {
	CHECK_FOR_INTERRUPTS();
	ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED), errmsg("canceling statement due to an interrupt")));
	pg_unreachable();
}

template <typename Body> Datum InvokeCpp(Body body, FunctionCallInfo fcinfo) {
	ErrorData *pg_error = nullptr;
	bool interrupted = false;
	int sqlerrcode = ERRCODE_INTERNAL_ERROR;
	char message[1024];
	char hint[512];
	hint[0] = '\0';
	try {
		return body(fcinfo);
	} catch (const PgError &error) {
		pg_error = error.error_data();
	} catch (const capi::Interrupted &) {
		interrupted = true;
	} catch (const capi::Error &error) {
		sqlerrcode = PackSqlState(error.sqlstate());
		CopyMessage(message, sizeof message, error.what());
		CopyMessage(hint, sizeof hint, error.hint().c_str());
	} catch (const std::bad_alloc &) {
		sqlerrcode = ERRCODE_OUT_OF_MEMORY;
		CopyMessage(message, sizeof message, "out of memory in pg_capi");
	} catch (const std::exception &error) {
		CopyMessage(message, sizeof message, error.what());
	} catch (...) {
		CopyMessage(message, sizeof message, "unknown C++ exception in pg_capi");
	}
	// Every C++ object of the body and of the handlers is gone: raising is safe now.
	if (pg_error != nullptr)
		ReThrowError(pg_error);
	if (interrupted)
		RaiseInterrupt();
	ereport(ERROR, (errcode(sqlerrcode), errmsg_internal("%s", message), hint[0] ? errhint("%s", hint) : 0));
	pg_unreachable();
}

} // namespace capi::pg

// Declares an SQL-callable function `name` whose C++ body follows the macro:
//   CAPI_PG_FUNCTION(capi_sha256_hex) { ... return ...; }
#define CAPI_PG_FUNCTION(name)                                                                               \
	extern "C" {                                                                                             \
	PG_FUNCTION_INFO_V1(name);                                                                               \
	}                                                                                                        \
	static Datum name##_body(PG_FUNCTION_ARGS);                                                              \
	Datum name(PG_FUNCTION_ARGS) {                                                                           \
		return capi::pg::InvokeCpp(name##_body, fcinfo);                                                     \
	}                                                                                                        \
	static Datum name##_body(PG_FUNCTION_ARGS)
