// The fast path's front end: reads a raw phone input the way libphonenumber's Parse prepares it
// (ExtractPossibleNumber, TrimUnwantedEndChars, IsViablePhoneNumber, MaybeStripExtension, Normalize)
// for the shapes it models, and says "unknown" for every other input.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity::phone_internal {

struct ScannedNumber {
	std::string digits;             // what Normalize leaves of the number (extension removed)
	bool plus = false;              // written after '+': libphonenumber reads it as international
	bool plus_sign = false;         // a '+' anywhere: the reference then does not retry as "+digits"
	bool viable = false;            // IsViablePhoneNumber on the extracted number
	bool first_parse_fails = false; // Parse reads nothing (invalid text before the number)
};

enum class Scanned {
	kNumber,   // ScannedNumber describes what libphonenumber reads
	kRejected, // libphonenumber finds no number, and the reference's retry finds none either
	kUnknown,  // not a modelled shape: ask the reference
};

Scanned ScanPhoneInput(std::string_view raw, ScannedNumber &number);

} // namespace capi::identity::phone_internal

#include "core/cpp_only.hpp"
