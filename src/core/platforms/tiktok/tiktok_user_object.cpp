#include "core/platforms/tiktok/tiktok_user_object.hpp"

#include <iterator>

namespace capi::platforms {
namespace {

constexpr UserKey kKeys[] = {
    FieldArray("email", Field::kEmail),
    FieldArray("phone", Field::kPhone),
    FieldArray("external_id", Field::kExternalId),
    FieldFirst("first_name", Field::kFirstName),
    FieldFirst("last_name", Field::kLastName),
    FieldFirst("zip_code", Field::kZip),
    FieldFirst("city", Field::kCity),
    FieldFirst("state", Field::kState),
    FieldFirst("country", Field::kCountry),
    Plain("ttclid", PlainKey::kTtclid),
    Plain("ttp", PlainKey::kTtp),
    Plain("ip", PlainKey::kClientIpAddress),
    Plain("user_agent", PlainKey::kClientUserAgent),
};

} // namespace

const UserObjectMapping kTikTokUserObject{kKeys, std::size(kKeys)};

} // namespace capi::platforms
