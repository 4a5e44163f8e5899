#include "core/platforms/reddit/reddit_user_object.hpp"

#include <iterator>

namespace capi::platforms {
namespace {

constexpr UserKey kKeys[] = {
    FieldFirst("email", Field::kEmail),
    FieldFirst("phone_number", Field::kPhone),
    FieldFirst("external_id", Field::kExternalId),
    Plain("ip_address", PlainKey::kClientIpAddress),
    Plain("user_agent", PlainKey::kClientUserAgent),
    Plain("uuid", PlainKey::kRdtUuid),
};

} // namespace

const UserObjectMapping kRedditUserObject{kKeys, std::size(kKeys)};

} // namespace capi::platforms
