#include "core/platforms/pinterest/pinterest_user_object.hpp"

#include <iterator>

namespace capi::platforms {
namespace {

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
    Plain("click_id", PlainKey::kEpik),
};

} // namespace

const UserObjectMapping kPinterestUserObject{kKeys, std::size(kKeys)};

} // namespace capi::platforms
