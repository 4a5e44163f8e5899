// The user-object builder's values (platforms::UserValues) read from a stored identity bag that was
// loaded for LinkedIn: what the request body's "user" is built from, by the same function that
// capi.user_data(..., 'linkedin') uses (linkedin_user_object.cpp). Nothing LinkedIn-specific: it may
// move to core/dispatch/ when another structured platform (Google) needs it.
#pragma once

#include <string>
#include <vector>

#include "core/dispatch/identity_bag.hpp"
#include "core/platforms/user_object.hpp"

namespace capi::dispatch {

class BagUserValues final : public platforms::UserValues {
public:
	explicit BagUserValues(const IdentityBag &bag) : bag_(bag) {}
	// The bag's values of field (already in the platform's form), without duplicates.
	std::vector<std::string> Values(identity::Field field) const override;
	// The bag's value of key, when present (and, with ipv4_only, an IPv4 address).
	std::vector<std::string> PlainValues(identity::PlainKey key, bool ipv4_only = false) const override;

private:
	const IdentityBag &bag_;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
