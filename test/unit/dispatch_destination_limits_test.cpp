// Issue 14: a destination's name and the sizes of its columns, checked before anything is parsed.
#include "core/dispatch/destination.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

TEST(DestinationLimits, ValidNames) {
	for (const char *name : {"m", "meta-shop", "Shop_1.eu", "0"})
		EXPECT_TRUE(IsValidDestinationName(name)) << name;
	EXPECT_TRUE(IsValidDestinationName(std::string(63, 'a')));
	for (const char *name : {"", " ", "meta shop", "meta\n", "m\u00e9ta", "\u202eatem", "a/b", "a\"b"})
		EXPECT_FALSE(IsValidDestinationName(name)) << name;
	EXPECT_FALSE(IsValidDestinationName(std::string(64, 'a')));
}

TEST(DestinationLimits, ColumnSizes) {
	EXPECT_NO_THROW(
	    RequireDestinationColumnSize("config", kMaxDestinationJsonBytes, kMaxDestinationJsonBytes));
	try {
		RequireDestinationColumnSize("credentials", kMaxDestinationJsonBytes + 1, kMaxDestinationJsonBytes);
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "54000");
		EXPECT_EQ(std::string(error.what()), "capi.destinations.credentials is larger than 65536 bytes");
	}
}

} // namespace
} // namespace capi::dispatch
