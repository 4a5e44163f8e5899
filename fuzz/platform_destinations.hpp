// A valid destination of each platform (the settings the unit tests use), for the request builder
// and classifier targets.
#pragma once

#include <string>

#include "core/dispatch/destination.hpp"
#include "core/identity/field.hpp"

namespace capi::fuzz {

inline dispatch::Destination ValidDestination(identity::Platform platform) {
	using identity::Platform;
	dispatch::Destination destination;
	destination.name = "fuzz_" + std::string(identity::PlatformName(platform));
	destination.platform = platform;
	switch (platform) {
	case Platform::kMeta:
		destination.config_json = R"({"pixel_id": "123456789012345"})";
		destination.credentials_json = R"({"access_token": "EAAtoken-123"})";
		break;
	case Platform::kGoogle:
		destination.config_json =
		    R"({"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555", "Lead": "777"}})";
		destination.credentials_json = R"({"access_token": "ya29.static"})";
		break;
	case Platform::kTikTok:
		destination.config_json = R"({"pixel_code": "C4ABCDEF12345"})";
		destination.credentials_json = R"({"access_token": "tt-token-123"})";
		break;
	case Platform::kLinkedIn:
		destination.config_json =
		    R"({"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1001",)"
		    R"( "urn:lla:llaPartnerConversion:1002"], "LEAD": ["urn:lla:llaPartnerConversion:2001"]}})";
		destination.credentials_json = R"({"access_token": "AQVtoken-1"})";
		break;
	case Platform::kSnap:
		destination.config_json = R"({"pixel_id": "a1b2c3d4-0000-4000-8000-123456789abc"})";
		destination.credentials_json = R"({"access_token": "snap/tok+en=1"})";
		break;
	case Platform::kReddit:
		destination.config_json = R"({"pixel_id": "a2_ewxbfz9xk2d5"})";
		destination.credentials_json = R"({"access_token": "rdt-conversion-token-1"})";
		break;
	case Platform::kPinterest:
		destination.config_json = R"({"ad_account_id": "549755885175"})";
		destination.credentials_json = R"({"access_token": "pina_conversion-token-1"})";
		break;
	}
	return destination;
}

} // namespace capi::fuzz
