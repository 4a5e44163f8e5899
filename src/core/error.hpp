// Errors raised by the core. Each carries the SQLSTATE the PostgreSQL glue reports it with, so the
// core decides what kind of error it is without knowing anything about PostgreSQL.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace capi {

// Five-character SQLSTATE codes used by the core (see PostgreSQL's errcodes.txt).
namespace sqlstate {
inline constexpr const char *kInvalidParameterValue = "22023";
inline constexpr const char *kInvalidTextRepresentation = "22P02";
inline constexpr const char *kDataException = "22000";
inline constexpr const char *kNumericValueOutOfRange = "22003";
inline constexpr const char *kDatetimeFieldOverflow = "22008";
inline constexpr const char *kCharacterNotInRepertoire = "22021";
inline constexpr const char *kFeatureNotSupported = "0A000";
inline constexpr const char *kInsufficientPrivilege = "42501";
inline constexpr const char *kProgramLimitExceeded = "54000";
inline constexpr const char *kInternalError = "XX000";
} // namespace sqlstate

class Error : public std::runtime_error {
public:
	Error(const char *sqlstate, const std::string &message, std::string hint = {})
	    : std::runtime_error(message), sqlstate_(sqlstate), hint_(std::move(hint)) {}
	const char *sqlstate() const noexcept { return sqlstate_; }
	// Optional errhint text (e.g. the list of valid values); empty when there is none.
	const std::string &hint() const noexcept { return hint_; }

private:
	const char *sqlstate_; // always one of the static strings above
	std::string hint_;
};

} // namespace capi

#include "core/cpp_only.hpp"
