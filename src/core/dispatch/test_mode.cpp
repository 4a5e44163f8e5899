#include "core/dispatch/test_mode.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

std::string Quoted(const std::string &name) {
	return "destination \"" + name + "\"";
}

} // namespace

Destination InTestMode(const Destination &destination, const PlatformAdapter &adapter,
                       const std::optional<std::string> &test_code) {
	const TestModeSupport mode = adapter.TestMode();
	const std::string platform(identity::PlatformName(adapter.platform()));
	if (mode.form == TestModeSupport::Form::kNone)
		throw Error(sqlstate::kFeatureNotSupported,
		            Quoted(destination.name) + ": " + platform +
		                " has no test or validate mode, so a dry run would record real conversions",
		            "Preview the request body with capi.preview(event_id, destination) instead.");
	if (mode.form == TestModeSupport::Form::kFlag && test_code)
		throw Error(sqlstate::kInvalidParameterValue,
		            Quoted(destination.name) + ": " + std::string(mode.name) + " takes no test code",
		            "Call capi.dry_run without test_code.");

	nlohmann::json config;
	try {
		config = destination.config_json.empty() ? nlohmann::json::object()
		                                         : nlohmann::json::parse(destination.config_json);
	} catch (const nlohmann::json::exception &) {
		throw Error(sqlstate::kInvalidParameterValue, Quoted(destination.name) + ": config is not JSON");
	}
	if (!config.is_object())
		throw Error(sqlstate::kInvalidParameterValue,
		            Quoted(destination.name) + ": config is not a JSON object");

	const std::string key(mode.config_key);
	if (mode.form == TestModeSupport::Form::kFlag) {
		config[key] = true;
	} else if (test_code) {
		if (test_code->empty())
			throw Error(sqlstate::kInvalidParameterValue, "test_code must not be empty");
		config[key] = *test_code;
	} else {
		auto present = config.find(key);
		if (present == config.end() || !present->is_string() || present->get<std::string>().empty())
			throw Error(sqlstate::kInvalidParameterValue,
			            Quoted(destination.name) + ": " + std::string(mode.name) + " needs a test code",
			            "Pass test_code => '<code>' (shown in the platform's Events Manager) or set config." +
			                key + ".");
	}

	Destination tested = destination;
	tested.config_json = config.dump();
	adapter.Validate(tested);
	return tested;
}

} // namespace capi::dispatch
