// libFuzzer target: the identity-bag builder (outbox/identity_bag_builder.hpp) on any user_data text.
//
// Input: byte 0 picks the region; the rest is the user_data JSON text.
// Contract checked: only capi::Error (22023 or 22P02) is thrown; the bag is a JSON object; building is
// idempotent (BuildIdentityBag(bag) == bag).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/outbox/identity_bag_builder.hpp"
#include "fuzz_input.hpp"

namespace {
constexpr std::string_view kRegions[] = {"US", "DE", "GB", "FR", "JP", "BR", "IN", "PH"};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	if (size < 1)
		return 0;
	const std::string_view region = kRegions[data[0] % std::size(kRegions)];
	const std::string_view user_data = capi::fuzz::AsText(data + 1, size - 1);

	std::string bag;
	try {
		capi::outbox::BuildIdentityBag(user_data, region, bag);
	} catch (const capi::Error &error) {
		if (std::strcmp(error.sqlstate(), capi::sqlstate::kInvalidParameterValue) != 0 &&
		    std::strcmp(error.sqlstate(), capi::sqlstate::kInvalidTextRepresentation) != 0)
			capi::fuzz::ContractBroken("BuildIdentityBag threw a SQLSTATE other than 22023 and 22P02");
		return 0;
	}
	if (!nlohmann::json::accept(bag) || !nlohmann::json::parse(bag).is_object())
		capi::fuzz::ContractBroken("the bag is not a JSON object");
	std::string again;
	try {
		capi::outbox::BuildIdentityBag(bag, region, again);
	} catch (const capi::Error &error) {
		std::fprintf(stderr, "bag: %s\nerror: %s\n", bag.c_str(), error.what());
		capi::fuzz::ContractBroken("a built bag is not valid input");
	}
	if (again != bag) {
		std::fprintf(stderr, "bag:   %s\nagain: %s\n", bag.c_str(), again.c_str());
		capi::fuzz::ContractBroken("BuildIdentityBag is not idempotent");
	}
	return 0;
}
