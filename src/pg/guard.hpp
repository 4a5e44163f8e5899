// The C++ <-> PostgreSQL boundary, written once and used by every entry point.
//
//  * InvokeCpp: runs the C++ body of an fmgr function. No C++ exception escapes it: each one is
//    caught, its message copied to the stack, and only after the catch block has ended (so every
//    C++ object is destroyed) re-raised as ereport(ERROR) with the SQLSTATE the core chose. A
//    capi::Interrupted (the core saw InterruptPending) becomes PostgreSQL's own cancel or
//    terminate, through CHECK_FOR_INTERRUPTS.
//  * PgCall: runs a PostgreSQL call from code that owns live C++ objects. A PostgreSQL ERROR inside
//    it longjmps only as far as PgCall's own sigsetjmp, is copied into PgCall's own error memory,
//    becomes a C++ PgError, and unwinds normally (destructors run); InvokeCpp then re-throws the
//    original PostgreSQL error. However PgCall is left (return, PostgreSQL error, C++ exception),
//    PG_exception_stack and error_context_stack are restored by an object in its frame.
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

namespace detail {

// PgCall's own memory for copied errors ("pg_capi errors", under TopMemoryContext), and the number of
// PgError objects alive. The copy never lives in the caller's context: on the worker's commit path
// that context can be one the guarded call has just deleted (SPI_finish), and an abort resets the
// transaction's contexts while the error is still being logged. The context is reset when PgCall
// catches the next error while no PgError is alive, so it holds at most the errors in flight.
// (Plain pointers and an int: no static object with a destructor, docs/architecture.md.)
inline MemoryContext error_memory = nullptr;
inline int live_errors = 0;

// Restores PostgreSQL's error-handling state saved when it was made: PG_exception_stack (the
// innermost sigsetjmp) and error_context_stack (the CONTEXT callbacks).
class ExceptionStackRestore {
public:
	ExceptionStackRestore() noexcept
	    : saved_exception_stack_(PG_exception_stack), saved_error_context_(error_context_stack) {}
	~ExceptionStackRestore() { Restore(); }
	ExceptionStackRestore(const ExceptionStackRestore &) = delete;
	ExceptionStackRestore &operator=(const ExceptionStackRestore &) = delete;
	void Restore() const noexcept {
		PG_exception_stack = saved_exception_stack_;
		error_context_stack = saved_error_context_;
	}

private:
	sigjmp_buf *const saved_exception_stack_;
	ErrorContextCallback *const saved_error_context_;
};

} // namespace detail

// A PostgreSQL error caught by PgCall, carried through C++ frames as an exception. Its ErrorData
// lives in PgCall's error memory: valid while this object (or a copy) lives, and after the last copy
// is gone until the next error PgCall catches (InvokeCpp re-raises it in between).
class PgError : public std::exception {
public:
	explicit PgError(ErrorData *error_data) noexcept : error_data_(error_data) { ++detail::live_errors; }
	PgError(const PgError &other) noexcept : std::exception(other), error_data_(other.error_data_) {
		++detail::live_errors;
	}
	PgError &operator=(const PgError &other) noexcept {
		error_data_ = other.error_data_;
		return *this;
	}
	~PgError() override { --detail::live_errors; }
	ErrorData *error_data() const noexcept { return error_data_; }
	const char *what() const noexcept override {
		return error_data_->message != nullptr ? error_data_->message : "PostgreSQL error";
	}

private:
	ErrorData *error_data_;
};

// Why RAII rather than noexcept lambdas: a noexcept lambda that throws anyway (a std::bad_alloc, a
// helper that grew a throw) calls std::terminate, an abort that makes the postmaster restart every
// backend of the cluster; and noexcept(fn()) checks only the annotation, not what the body calls.
// A restore in a destructor turns the same mistake into an ordinary C++ exception with
// PostgreSQL's state intact.
//
// The restore object lives in PgCall's frame, constructed before sigsetjmp. The siglongjmp of an
// ereport(ERROR) lands in this same frame, so it skips only fn's frames (which hold no objects with
// destructors, the PgCall rule) and never this object: the jump is well-defined ([csetjmp.syn]: the
// same as a throw caught here would be). On that path the state is restored explicitly first,
// before PostgreSQL is called again; the destructor restores it once more, harmlessly, as the
// PgError leaves.
template <typename Fn> auto PgCall(Fn &&fn) -> decltype(fn()) {
	const detail::ExceptionStackRestore restore; // normal return, a C++ exception, and the error path
	const MemoryContext caller_context = CurrentMemoryContext;
	sigjmp_buf local_jump;
	if (sigsetjmp(local_jump, 0) == 0) {
		PG_exception_stack = &local_jump;
		if (detail::error_memory == nullptr)
			detail::error_memory =
			    AllocSetContextCreate(TopMemoryContext, "pg_capi errors", ALLOCSET_SMALL_SIZES);
		return fn();
	}
	// A PostgreSQL ERROR inside fn: CurrentMemoryContext is ErrorContext, the error is on the stack.
	restore.Restore();
	MemoryContext errors = detail::error_memory != nullptr ? detail::error_memory : TopMemoryContext;
	if (detail::live_errors == 0 && errors != TopMemoryContext)
		MemoryContextReset(errors);
	MemoryContextSwitchTo(errors);
	ErrorData *error_data = CopyErrorData();
	FlushErrorState();
	MemoryContextSwitchTo(caller_context);
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

// The core's interrupt poll (core/interrupt.hpp), installed at module load: a cancel (query cancel,
// statement_timeout, lock_timeout, a recovery conflict) or a terminate request is pending.
// InterruptPending alone is not enough: it is also set for interrupts that cancel nothing (a sinval
// catch-up, a proc-signal barrier, a memory-context log request), and stopping for those cancelled a
// long INSERT ... SELECT with "canceling statement due to an interrupt". They are processed at the
// next CHECK_FOR_INTERRUPTS after the function returns.
inline bool InterruptIsPending() {
	return InterruptPending && (QueryCancelPending || ProcDiePending);
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
