// Dates of birth to YYYYMMDD.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

// Reads the common layouts: ISO "1997-02-16" (also "1997/02/16", "1997.02.16", and the date part of a
// timestamp "1997-02-16T00:00:00Z" / "1997-02-16 00:00:00+00"), "19970216", "1997-2-16",
// "02/16/1997", "16.02.1997", "Feb 16, 1997", "16 February 1997", "16th of Feb 1997", "1997年2月16日".
// Day and month in "a/b/yyyy": the reading where one part is > 12 wins; otherwise day first when
// separated by dots, month first when region writes dates that way (US and its territories, PH), and
// day first elsewhere. Two-digit years are refused (their century is a guess), as are dates that do
// not exist and years outside 1900..the current year. Returns false (out empty) then.
bool NormalizeDateOfBirth(std::string_view value, std::string_view region, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
