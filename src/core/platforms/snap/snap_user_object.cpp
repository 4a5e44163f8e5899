#include "core/platforms/snap/snap_user_object.hpp"

#include <iterator>

namespace capi::platforms {
namespace {

constexpr UserKey kKeys[] = {
    FieldArray("em", Field::kEmail),
    FieldArray("ph", Field::kPhone),
    FieldArray("fn", Field::kFirstName),
    FieldArray("ln", Field::kLastName),
    FieldArray("ge", Field::kGender),
    FieldFirst("db", Field::kDateOfBirth), // Snap's schema: a single string
    FieldArray("ct", Field::kCity),
    FieldArray("st", Field::kState),
    FieldArray("zp", Field::kZip),
    FieldArray("country", Field::kCountry),
    FieldArray("external_id", Field::kExternalId),
    Plain("client_ip_address", PlainKey::kClientIpAddress),
    Plain("client_user_agent", PlainKey::kClientUserAgent),
    Plain("sc_click_id", PlainKey::kScClickId),
    Plain("sc_cookie1", PlainKey::kScCookie1),
};

} // namespace

const UserObjectMapping kSnapUserObject{kKeys, std::size(kKeys)};

} // namespace capi::platforms
