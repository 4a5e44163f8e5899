// Which event ids can deduplicate a server event against the browser pixel's
// (core/quality/event_id_fitness.hpp).
#include "core/quality/event_id_fitness.hpp"

#include <gtest/gtest.h>

#include <string>

namespace capi::quality {
namespace {

constexpr std::int64_t kEventTimeMs = 1762902353789; // 2025-11-11T23:05:53.789Z

std::string Problem(std::string_view id, std::int64_t event_time_ms = kEventTimeMs) {
	auto problem = EventIdProblem(id, event_time_ms);
	return problem ? std::string(*problem) : std::string("fit");
}

TEST(QualityEventIdFitness, OrderIdsUuidsAndMetasOwnExamplesAreFit) {
	for (const char *id : {"order-1001", "123", "456", "100", "ORD_2025_000017",
	                       "6f1c8a2e-3b9d-4c1e-9a7f-2d4b8e6c0a15", "a", "0042", "1762902353-42"})
		EXPECT_EQ(Problem(id), "fit") << id;
}

TEST(QualityEventIdFitness, BlankAndPaddedIds) {
	EXPECT_EQ(Problem(""), "blank");
	EXPECT_EQ(Problem(" \t"), "blank");
	EXPECT_EQ(Problem("\xC2\xA0"), "blank"); // NBSP only
	EXPECT_EQ(Problem(" order-1"), "whitespace");
	EXPECT_EQ(Problem("order-1\n"), "whitespace");
	EXPECT_EQ(Problem("order 1"), "fit"); // inside is the id's own business
}

TEST(QualityEventIdFitness, PlaceholdersInAnyCase) {
	for (const char *id : {"undefined", "NULL", "None", "nil", "NaN", "n/a", "true", "False", "0", "-1",
	                       "[object Object]", "\"\"", "''"})
		EXPECT_EQ(Problem(id), "placeholder") << id;
	EXPECT_EQ(Problem("nullable-7"), "fit");
}

TEST(QualityEventIdFitness, UnexpandedTemplates) {
	for (const char *id : {"{{event_id}}", "${orderId}", "<%= id %>", "%%ORDER%%", "[[id]]", "ord-{{ id }}"})
		EXPECT_EQ(Problem(id), "template") << id;
}

TEST(QualityEventIdFitness, SmallNumbersAreCounters) {
	for (const char *id : {"1", "7", "42", "99"})
		EXPECT_EQ(Problem(id), "small_number") << id;
	EXPECT_EQ(Problem("100"), "fit");
}

TEST(QualityEventIdFitness, UnixTimesNearTheEventAreUnstable) {
	const std::int64_t s = kEventTimeMs / 1000;
	EXPECT_EQ(Problem(std::to_string(s)), "timestamp");
	EXPECT_EQ(Problem(std::to_string(kEventTimeMs)), "timestamp");
	EXPECT_EQ(Problem(std::to_string(kEventTimeMs * 1000 + 123)), "timestamp");
	EXPECT_EQ(Problem(std::to_string(kEventTimeMs) + "123456"), "timestamp"); // ns, 19 digits
	EXPECT_EQ(Problem(std::to_string(s + 23 * 3600)), "timestamp");
	// A day and more away: an order number that happens to have 10 digits.
	EXPECT_EQ(Problem(std::to_string(s + 25 * 3600)), "fit");
	EXPECT_EQ(Problem("1000000001"), "fit");
	EXPECT_EQ(Problem("99999999999999999999"), "fit"); // 20 digits: no unit
	// Without an event time, no number is taken for a time.
	EXPECT_EQ(EventIdProblem(std::to_string(s), std::nullopt), std::nullopt);
	EXPECT_EQ(EventIdProblem("7", std::nullopt), std::optional<std::string_view>("small_number"));
}

} // namespace
} // namespace capi::quality
