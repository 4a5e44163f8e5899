// The platforms pg_capi knows, one line each: its user object and, once it delivers, its adapter.
// Adding a platform = its folder src/core/platforms/<name>/ plus one line in kPlatforms.
#include "core/dispatch/adapter.hpp"
#include "core/platforms/user_object.hpp"

#include <iterator>
#include <string>

#include "core/error.hpp"
#include "core/platforms/google/google_adapter.hpp"
#include "core/platforms/google/google_user_object.hpp"
#include "core/platforms/linkedin/linkedin_adapter.hpp"
#include "core/platforms/linkedin/linkedin_user_object.hpp"
#include "core/platforms/meta/meta_adapter.hpp"
#include "core/platforms/meta/meta_user_object.hpp"
#include "core/platforms/pinterest/pinterest_adapter.hpp"
#include "core/platforms/pinterest/pinterest_user_object.hpp"
#include "core/platforms/reddit/reddit_adapter.hpp"
#include "core/platforms/reddit/reddit_user_object.hpp"
#include "core/platforms/snap/snap_adapter.hpp"
#include "core/platforms/snap/snap_user_object.hpp"
#include "core/platforms/tiktok/tiktok_adapter.hpp"
#include "core/platforms/tiktok/tiktok_user_object.hpp"

namespace capi::platforms {
namespace {

using identity::Platform;

// Adapters are stateless; each is created once and never destroyed (no static destructors in a
// library loaded into the postmaster).
template <typename Adapter> const dispatch::PlatformAdapter *Instance() {
	static const Adapter *adapter = new Adapter();
	return adapter;
}

struct PlatformParts {
	Platform platform;
	const UserObjectMapping *user_object;
	const dispatch::PlatformAdapter *(*adapter)(); // nullptr: delivery not supported yet
};

// In the order of identity::Platform.
constexpr PlatformParts kPlatforms[] = {
    {Platform::kMeta, &kMetaUserObject, &Instance<dispatch::MetaAdapter>},
    {Platform::kGoogle, &kGoogleUserObject, &Instance<dispatch::GoogleAdapter>},
    {Platform::kTikTok, &kTikTokUserObject, &Instance<dispatch::TikTokAdapter>},
    {Platform::kLinkedIn, &kLinkedInUserObject, &Instance<dispatch::LinkedInAdapter>},
    {Platform::kSnap, &kSnapUserObject, &Instance<dispatch::SnapAdapter>},
    {Platform::kReddit, &kRedditUserObject, &Instance<dispatch::RedditAdapter>},
    {Platform::kPinterest, &kPinterestUserObject, &Instance<dispatch::PinterestAdapter>},
};

constexpr bool InEnumOrder() {
	for (std::size_t i = 0; i < std::size(kPlatforms); ++i)
		if (static_cast<std::size_t>(kPlatforms[i].platform) != i)
			return false;
	return std::size(kPlatforms) == identity::kPlatformCount;
}
static_assert(InEnumOrder(), "kPlatforms: one line per identity::Platform, in enum order");

const PlatformParts &PartsOf(Platform platform) noexcept {
	return kPlatforms[static_cast<std::size_t>(platform)];
}

// "meta, ...": the platforms that deliver.
std::string DeliveringPlatforms() {
	std::string names;
	for (const PlatformParts &parts : kPlatforms) {
		if (parts.adapter == nullptr)
			continue;
		if (!names.empty())
			names += ", ";
		names += identity::PlatformName(parts.platform);
	}
	return names;
}

} // namespace

const UserObjectMapping &UserObjectFor(Platform platform) {
	return *PartsOf(platform).user_object;
}

} // namespace capi::platforms

namespace capi::dispatch {

const PlatformAdapter *FindAdapter(identity::Platform platform) noexcept {
	auto adapter = platforms::PartsOf(platform).adapter;
	return adapter != nullptr ? adapter() : nullptr;
}

const PlatformAdapter &AdapterFor(identity::Platform platform) {
	const PlatformAdapter *adapter = FindAdapter(platform);
	if (adapter == nullptr) {
		throw Error(sqlstate::kFeatureNotSupported,
		            "delivery to " + std::string(identity::PlatformName(platform)) + " is not supported yet",
		            "Supported platforms: " + platforms::DeliveringPlatforms() + ".");
	}
	return *adapter;
}

} // namespace capi::dispatch
