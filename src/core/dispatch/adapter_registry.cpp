#include "core/dispatch/adapter.hpp"

#include "core/dispatch/meta_adapter.hpp"
#include "core/error.hpp"

namespace capi::dispatch {

const PlatformAdapter *FindAdapter(identity::Platform platform) noexcept {
	// Adapters are stateless; each is created once and never destroyed (no static destructors in
	// a library loaded into the postmaster).
	switch (platform) {
	case identity::Platform::kMeta: {
		static const MetaAdapter *meta = new MetaAdapter();
		return meta;
	}
	default:
		return nullptr;
	}
}

const PlatformAdapter &AdapterFor(identity::Platform platform) {
	const PlatformAdapter *adapter = FindAdapter(platform);
	if (adapter == nullptr) {
		throw Error(sqlstate::kFeatureNotSupported,
		            "delivery to " + std::string(identity::PlatformName(platform)) + " is not supported yet",
		            "Supported platforms: meta.");
	}
	return *adapter;
}

} // namespace capi::dispatch
