#include "core/outbox/identity_bag_builder.hpp"

#include <array>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/dispatch/json_writer.hpp"
#include "core/identity/acceptance.hpp"
#include "core/identity/identifiers.hpp"
#include "core/identity/input_limits.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/unicode_text.hpp"
#include "core/identity/wire_form.hpp"
#include "core/interrupt.hpp"
#include "core/sha256.hpp"

namespace capi::outbox {
namespace {

using identity::Field;
using identity::PlainKey;
using identity::Platform;

constexpr std::size_t kFieldCount = identity::kFieldCount;
constexpr std::size_t kPlatformCount = identity::kPlatformCount;

// Meta first: its values are the unsuffixed ones the others are compared with.
constexpr Platform kPlatforms[kPlatformCount] = {
    Platform::kMeta, Platform::kGoogle, Platform::kTikTok,    Platform::kLinkedIn,
    Platform::kSnap, Platform::kReddit, Platform::kPinterest,
};

// Coarse location may rest in clear where a platform wants it plain; every other field is stored
// only as digests (see the header's privacy exception).
bool MayRestInClear(Field field) {
	return field == Field::kCity || field == Field::kState || field == Field::kZip ||
	       field == Field::kCountry;
}

// SHA-256 of the empty string: a hashed "" is kept as given (it is a digest), but is no identifier.
constexpr std::string_view kEmptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Values are views into the builder's per-field storage (digests_, rules_, hashes_, own_values_).
using Values = std::vector<std::string_view>;

// A platform's list of values for one field, kept without duplicates in linear time.
struct UniqueValues {
	Values list;
	std::unordered_set<std::string_view> seen; // the same views as list

	void Clear() {
		list.clear();
		seen.clear(); // keeps its buckets for the next field
	}
	void Append(std::string_view value) {
		if (seen.insert(value).second)
			list.push_back(value);
	}
};

// Builds bags; one per thread, reused so that its buffers stay allocated.
class BagBuilder {
public:
	const BagMembers &Build(std::string_view json, identity::Region region, PlainValues *plain,
	                        UnusableKeys *unusable) {
		raw_.Parse(json);
		region_ = region;
		arena_.clear();
		spans_.clear();
		value_spans_.clear();
		if (unusable != nullptr)
			unusable->clear();
		for (std::size_t f = 0; f < kFieldCount; ++f) {
			const Field field = static_cast<Field>(f);
			if (BuildField(field) == Outcome::kUnusable && unusable != nullptr)
				unusable->push_back(identity::FieldName(field));
		}
		for (std::size_t k = 0; k < identity::kPlainKeyCount; ++k) {
			PlainKey key = static_cast<PlainKey>(k);
			std::string_view value;
			if (identity::FirstUsablePlainValue(raw_, key, value)) {
				AddMember(identity::PlainKeyName(key), {}, false);
				AddValue(value);
			} else if (unusable != nullptr && AnyNotBlank(raw_.Of(key))) {
				unusable->push_back(identity::PlainKeyName(key));
			}
			if (plain != nullptr)
				(*plain)[k] = value; // "" when none is usable
		}
		return Members();
	}

private:
	// The normalized forms of the field's shared (unsuffixed) values under one rule, computed at most
	// once per field and rule however many platforms share the rule.
	struct RuleValues {
		int rule = 0;
		std::vector<std::string> values;
		std::vector<char> usable;
	};

	// What a field given in user_data came to: not given (no value, or blank ones only), at least one
	// usable value for some platform, or values none of which any platform can use.
	enum class Outcome { kNotGiven, kUsable, kUnusable };

	static bool AnyNotBlank(const std::vector<std::string> &values) {
		for (const std::string &value : values)
			if (!identity::text::Trim(value).empty())
				return true;
		return false;
	}

	// Given: a value under the field's own names or under any "field@platform" key that is not blank.
	bool Given(Field field) const {
		if (AnyNotBlank(raw_.Of(field)))
			return true;
		for (Platform platform : kPlatforms)
			if (const std::vector<std::string> *own = raw_.Override(field, platform))
				if (AnyNotBlank(*own))
					return true;
		return false;
	}

	// Whether any platform's list holds a value that identifies someone (not the digest of "").
	bool AnyUsableValue(Field field) const {
		for (Platform platform : kPlatforms)
			if (identity::PlatformAcceptsField(platform, field))
				for (std::string_view value : lists_[Index(platform)].list)
					if (value != kEmptyDigest)
						return true;
		return false;
	}

	Outcome BuildField(Field field) {
		const std::vector<std::string> &shared = raw_.Of(field);
		if (shared.empty() && !raw_.HasOverride(field))
			return Outcome::kNotGiven;
		trimmed_.clear();
		hex_.clear();
		if (digests_.size() < shared.size()) {
			digests_.resize(shared.size());
			format_free_.resize(shared.size());
		}
		for (std::size_t i = 0; i < shared.size(); ++i) {
			CheckForInterrupt();
			// As capi.normalize/capi.hash: too long as given is nothing; format characters go first.
			std::string_view trimmed;
			if (identity::IsWithinInputLimit(field, shared[i]))
				trimmed =
				    identity::text::Trim(identity::text::StripFormatCharacters(shared[i], format_free_[i]));
			if (identity::IsEmptyValueDigest(trimmed)) // a hashed blank: nothing, as in capi.hash
				trimmed = {};
			trimmed_.push_back(trimmed);
			hex_.push_back(IsSha256Hex(trimmed));
			if (hex_[i]) { // already a digest: kept lowercased wherever a hash is wanted
				digests_[i].assign(trimmed);
				for (char &c : digests_[i])
					c = identity::text::ToAsciiLower(c);
			}
		}
		rule_count_ = 0;
		hash_count_ = 0;
		own_count_ = 0;

		hash_index_.clear();
		for (Platform platform : kPlatforms) {
			UniqueValues &list = lists_[Index(platform)];
			list.Clear();
			if (!identity::PlatformAcceptsField(platform, field))
				continue;
			bool hashed = identity::WantsHashed(platform, field);
			if (!hashed && !MayRestInClear(field))
				continue; // privacy exception: nothing for this platform
			if (const std::vector<std::string> *own = raw_.Override(field, platform)) {
				for (const std::string &value : *own) {
					CheckForInterrupt();
					std::string &payload = OwnValueSlot();
					if (identity::PayloadValue(field, platform, value, region_, payload))
						list.Append(payload);
				}
				continue;
			}
			const RuleValues *normalized = nullptr;
			for (std::size_t i = 0; i < shared.size(); ++i) {
				CheckForInterrupt();
				if (hex_[i] && hashed) {
					list.Append(digests_[i]);
					continue;
				}
				if (hex_[i] && field != Field::kExternalId)
					continue; // a digest where plain text is wanted (identity::PayloadValue)
				if (normalized == nullptr)
					normalized = &Normalized(field, platform);
				if (!normalized->usable[i])
					continue;
				list.Append(hashed ? HashOf(normalized->values[i]) : normalized->values[i]);
			}
		}

		static const Values *const kNone = new Values();
		const Values &base = identity::PlatformAcceptsField(Platform::kMeta, field)
		                         ? lists_[Index(Platform::kMeta)].list
		                         : *kNone;
		std::string_view name = identity::FieldName(field);
		if (!base.empty())
			AddArray(name, {}, base);
		for (Platform platform : kPlatforms) {
			if (platform == Platform::kMeta || !identity::PlatformAcceptsField(platform, field))
				continue;
			const Values &list = lists_[Index(platform)].list;
			if (list != base)
				AddArray(name, identity::PlatformName(platform), list);
		}
		if (AnyUsableValue(field))
			return Outcome::kUsable;
		return Given(field) ? Outcome::kUnusable : Outcome::kNotGiven;
	}

	// The shared values normalized with platform's rule for field.
	const RuleValues &Normalized(Field field, Platform platform) {
		int rule = identity::NormalizationRuleId(field, platform);
		for (std::size_t r = 0; r < rule_count_; ++r)
			if (rules_[r].rule == rule)
				return rules_[r];
		if (rule_count_ == rules_.size())
			rules_.emplace_back(); // a deque: earlier entries stay where they are
		RuleValues &entry = rules_[rule_count_++];
		entry.rule = rule;
		const std::size_t count = trimmed_.size();
		entry.values.resize(count);
		entry.usable.assign(count, 0);
		for (std::size_t i = 0; i < count; ++i) {
			CheckForInterrupt();
			if (!hex_[i] || field == Field::kExternalId)
				entry.usable[i] = identity::Normalize(field, platform, trimmed_[i], region_, entry.values[i]);
		}
		return entry;
	}

	// SHA-256 hex of a normalized value, computed once per field for equal values (found by hash).
	std::string_view HashOf(const std::string &normalized) {
		auto found = hash_index_.find(normalized);
		if (found != hash_index_.end())
			return hashes_[found->second].second;
		if (hash_count_ == hashes_.size())
			hashes_.emplace_back();
		auto &entry = hashes_[hash_count_];
		entry.first = normalized;
		entry.second.resize(kSha256HexLength);
		Sha256Hex(normalized, entry.second.data());
		hash_index_.emplace(entry.first, hash_count_++);
		return entry.second;
	}

	// Members are recorded as offsets into arena_ (which may move while it grows) and turned into
	// views once the bag is complete.
	struct Span {
		std::size_t offset = 0;
		std::size_t length = 0;
	};
	struct MemberSpan {
		Span key;
		bool is_array = false;
		std::size_t first_value = 0;
		std::size_t value_count = 0;
	};

	Span Append(std::string_view text) {
		Span span{arena_.size(), text.size()};
		arena_.append(text);
		return span;
	}

	void AddMember(std::string_view name, std::string_view platform, bool is_array) {
		MemberSpan member;
		member.key.offset = arena_.size();
		arena_.append(name); // field, platform and plain key names are plain ASCII
		if (!platform.empty()) {
			arena_.push_back('@');
			arena_.append(platform);
		}
		member.key.length = arena_.size() - member.key.offset;
		member.is_array = is_array;
		member.first_value = value_spans_.size();
		spans_.push_back(member);
	}

	void AddValue(std::string_view value) {
		value_spans_.push_back(Append(value));
		spans_.back().value_count++;
	}

	void AddArray(std::string_view name, std::string_view platform, const Values &values) {
		AddMember(name, platform, true);
		for (std::string_view value : values)
			AddValue(value);
	}

	const BagMembers &Members() {
		members_.members.clear();
		members_.values.clear();
		auto view = [this](const Span &span) {
			return std::string_view(arena_).substr(span.offset, span.length);
		};
		for (const Span &value : value_spans_)
			members_.values.push_back(view(value));
		for (const MemberSpan &span : spans_)
			members_.members.push_back(
			    BagMember{view(span.key), span.is_array, span.first_value, span.value_count});
		return members_;
	}

	// A place for a value given under "field@platform", valid until the next field.
	std::string &OwnValueSlot() {
		if (own_count_ == own_values_.size())
			own_values_.emplace_back();
		return own_values_[own_count_++];
	}

	static std::size_t Index(Platform platform) { return static_cast<std::size_t>(platform); }

	identity::RawIdentifiers raw_;
	identity::Region region_{"US", false};
	// The bag being built: its text (keys and values) and what is where.
	std::string arena_;
	std::vector<MemberSpan> spans_;
	std::vector<Span> value_spans_;
	BagMembers members_;
	// Per field: the shared values trimmed and whether each is a digest already.
	std::vector<std::string_view> trimmed_;
	std::vector<char> hex_;
	std::vector<std::string> digests_;     // [i]: the lowercased digest when hex_[i]
	std::vector<std::string> format_free_; // [i]: value i without format characters, when it had some
	// Deques, so that views into earlier entries survive later ones; entries are reused across fields
	// and rows (the *_count_ members say how many are in use for the current field).
	std::deque<RuleValues> rules_;
	std::size_t rule_count_ = 0;
	std::deque<std::pair<std::string, std::string>> hashes_; // (normalized, digest)
	std::size_t hash_count_ = 0;
	std::unordered_map<std::string_view, std::size_t> hash_index_; // normalized -> index in hashes_
	std::deque<std::string> own_values_;
	std::size_t own_count_ = 0;
	std::array<UniqueValues, kPlatformCount> lists_; // per platform: the field's values, views into the above
};

BagBuilder &ThreadBagBuilder() {
	thread_local BagBuilder *builder = nullptr; // leaked on purpose: no destructor at thread or process exit
	if (builder == nullptr)
		builder = new BagBuilder();
	return *builder;
}

} // namespace

const BagMembers &BuildIdentityBagMembers(std::string_view user_data_json, identity::Region region,
                                          PlainValues *plain, UnusableKeys *unusable) {
	return ThreadBagBuilder().Build(user_data_json, region, plain, unusable);
}

void WriteIdentityBagJson(const BagMembers &bag, std::string &out) {
	out.clear();
	out.push_back('{');
	for (std::size_t m = 0; m < bag.members.size(); ++m) {
		const BagMember &member = bag.members[m];
		if (m > 0)
			out.push_back(',');
		dispatch::AppendJsonString(&out, member.key);
		out.push_back(':');
		if (member.is_array)
			out.push_back('[');
		for (std::size_t i = 0; i < member.value_count; ++i) {
			if (i > 0)
				out.push_back(',');
			dispatch::AppendJsonString(&out, bag.values[member.first_value + i]);
		}
		if (member.is_array)
			out.push_back(']');
	}
	out.push_back('}');
}

void BuildIdentityBag(std::string_view user_data_json, identity::Region region, std::string &out,
                      PlainValues *plain, UnusableKeys *unusable) {
	WriteIdentityBagJson(BuildIdentityBagMembers(user_data_json, region, plain, unusable), out);
}

std::string BuildIdentityBag(std::string_view user_data_json, identity::Region region) {
	std::string out;
	BuildIdentityBag(user_data_json, region, out);
	return out;
}

} // namespace capi::outbox
