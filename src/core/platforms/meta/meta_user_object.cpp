#include "core/platforms/meta/meta_user_object.hpp"

#include <iterator>

namespace capi::platforms {
namespace {

// In the order they are written (street has no key).
constexpr UserKey kKeys[] = {
    FieldArray("em", Field::kEmail),
    FieldArray("ph", Field::kPhone),
    FieldArray("fn", Field::kFirstName),
    FieldArray("ln", Field::kLastName),
    FieldArray("ge", Field::kGender),
    FieldArray("db", Field::kDateOfBirth),
    FieldArray("ct", Field::kCity),
    FieldArray("st", Field::kState),
    FieldArray("zp", Field::kZip),
    FieldArray("country", Field::kCountry),
    FieldArray("external_id", Field::kExternalId),
    Plain("client_ip_address", PlainKey::kClientIpAddress),
    Plain("client_user_agent", PlainKey::kClientUserAgent),
    Plain("fbc", PlainKey::kFbc),
    Plain("fbp", PlainKey::kFbp),
};

} // namespace

const UserObjectMapping kMetaUserObject{kKeys, std::size(kKeys)};

} // namespace capi::platforms
