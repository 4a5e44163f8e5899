#include "core/quality/match_keys.hpp"

#include "core/identity/unicode_text.hpp"

namespace capi::quality {
namespace {

using identity::Field;
using identity::PlainKey;
using identity::Platform;

constexpr std::string_view kNames[kMatchKeyCount] = {
    "em", "ph", "fn",          "ln", "ct", "st",       "zp",         "country",
    "ge", "db", "external_id", "ip", "ua", "click_id", "browser_id",
};

// SHA-256 of the empty string: what hashing "" gives, a common bug; never an identifier.
constexpr std::string_view kEmptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

constexpr std::size_t kPlatformCount = identity::kPlatformCount;
using Rules = std::array<KeyRule, kMatchKeyCount>;

KeyRule FieldRule(Use use, int weight_milli, Field field) {
	KeyRule rule;
	rule.use = use;
	rule.weight_milli = use == Use::kSent ? weight_milli : 0;
	rule.field = field;
	rule.input_key = identity::FieldName(field);
	return rule;
}

KeyRule PlainRule(int weight_milli, std::initializer_list<PlainKey> keys) {
	KeyRule rule;
	rule.use = Use::kSent;
	rule.weight_milli = weight_milli;
	for (PlainKey key : keys)
		rule.plain[rule.plain_count++] = key;
	rule.input_key = identity::PlainKeyName(*keys.begin());
	return rule;
}

void Set(Rules &rules, MatchKey key, KeyRule rule) {
	rules[static_cast<std::size_t>(key)] = rule;
}

// The weights: docs/match-quality.md says where each comes from. The sent keys of every platform sum
// to 10,000 (a score of 10 when all are present).
Rules MetaLike(Platform platform) {
	Rules r;
	// Meta, Snap and Pinterest take the same hashed fields (their user objects share Meta's keys).
	struct Weights {
		int em, ph, fn, ln, ct, st, zp, country, ge, db, external_id, ip, ua, click, browser;
	};
	Weights w{};
	if (platform == Platform::kMeta)
		w = {2400, 1400, 300, 300, 100, 100, 200, 100, 100, 100, 900, 1000, 600, 1200, 1200};
	else if (platform == Platform::kSnap)
		w = {2200, 1500, 200, 200, 100, 100, 100, 100, 100, 100, 800, 900, 600, 1800, 1200};
	else // Pinterest: no browser id
		w = {2500, 1500, 200, 200, 100, 100, 200, 200, 100, 100, 1000, 1000, 1000, 1800, 0};
	Set(r, MatchKey::kEmail, FieldRule(Use::kSent, w.em, Field::kEmail));
	Set(r, MatchKey::kPhone, FieldRule(Use::kSent, w.ph, Field::kPhone));
	Set(r, MatchKey::kFirstName, FieldRule(Use::kSent, w.fn, Field::kFirstName));
	Set(r, MatchKey::kLastName, FieldRule(Use::kSent, w.ln, Field::kLastName));
	Set(r, MatchKey::kCity, FieldRule(Use::kSent, w.ct, Field::kCity));
	Set(r, MatchKey::kState, FieldRule(Use::kSent, w.st, Field::kState));
	Set(r, MatchKey::kZip, FieldRule(Use::kSent, w.zp, Field::kZip));
	Set(r, MatchKey::kCountry, FieldRule(Use::kSent, w.country, Field::kCountry));
	Set(r, MatchKey::kGender, FieldRule(Use::kSent, w.ge, Field::kGender));
	Set(r, MatchKey::kDateOfBirth, FieldRule(Use::kSent, w.db, Field::kDateOfBirth));
	Set(r, MatchKey::kExternalId, FieldRule(Use::kSent, w.external_id, Field::kExternalId));
	Set(r, MatchKey::kIpAddress, PlainRule(w.ip, {PlainKey::kClientIpAddress}));
	Set(r, MatchKey::kUserAgent, PlainRule(w.ua, {PlainKey::kClientUserAgent}));
	if (platform == Platform::kMeta) {
		Set(r, MatchKey::kClickId, PlainRule(w.click, {PlainKey::kFbc}));
		Set(r, MatchKey::kBrowserId, PlainRule(w.browser, {PlainKey::kFbp}));
	} else if (platform == Platform::kSnap) {
		Set(r, MatchKey::kClickId, PlainRule(w.click, {PlainKey::kScClickId}));
		Set(r, MatchKey::kBrowserId, PlainRule(w.browser, {PlainKey::kScCookie1}));
	} else {
		Set(r, MatchKey::kClickId, PlainRule(w.click, {PlainKey::kEpik}));
	}
	return r;
}

// Google (Data Manager, the default API): email, phone, an address (given and family name, region
// and postal code, sent only all four together), the device's IP and user agent, one click id.
Rules Google() {
	Rules r;
	Set(r, MatchKey::kEmail, FieldRule(Use::kSent, 3000, Field::kEmail));
	Set(r, MatchKey::kPhone, FieldRule(Use::kSent, 1500, Field::kPhone));
	for (auto [key, field] :
	     {std::pair{MatchKey::kFirstName, Field::kFirstName},
	      std::pair{MatchKey::kLastName, Field::kLastName}, std::pair{MatchKey::kZip, Field::kZip},
	      std::pair{MatchKey::kCountry, Field::kCountry}}) {
		KeyRule rule = FieldRule(Use::kSent, 375, field);
		rule.address_group = true;
		Set(r, key, rule);
	}
	Set(r, MatchKey::kIpAddress, PlainRule(500, {PlainKey::kClientIpAddress}));
	Set(r, MatchKey::kUserAgent, PlainRule(500, {PlainKey::kClientUserAgent}));
	Set(r, MatchKey::kClickId, PlainRule(3000, {PlainKey::kGclid, PlainKey::kGbraid, PlainKey::kWbraid}));
	return r;
}

Rules TikTok() {
	Rules r;
	Set(r, MatchKey::kEmail, FieldRule(Use::kSent, 2000, Field::kEmail));
	Set(r, MatchKey::kPhone, FieldRule(Use::kSent, 1500, Field::kPhone));
	Set(r, MatchKey::kFirstName, FieldRule(Use::kSent, 200, Field::kFirstName));
	Set(r, MatchKey::kLastName, FieldRule(Use::kSent, 200, Field::kLastName));
	Set(r, MatchKey::kCity, FieldRule(Use::kSent, 100, Field::kCity));
	Set(r, MatchKey::kState, FieldRule(Use::kSent, 100, Field::kState));
	Set(r, MatchKey::kZip, FieldRule(Use::kSent, 100, Field::kZip));
	Set(r, MatchKey::kCountry, FieldRule(Use::kSent, 100, Field::kCountry));
	Set(r, MatchKey::kExternalId, FieldRule(Use::kSent, 1000, Field::kExternalId));
	Set(r, MatchKey::kIpAddress, PlainRule(900, {PlainKey::kClientIpAddress}));
	Set(r, MatchKey::kUserAgent, PlainRule(600, {PlainKey::kClientUserAgent}));
	Set(r, MatchKey::kClickId, PlainRule(2000, {PlainKey::kTtclid}));
	Set(r, MatchKey::kBrowserId, PlainRule(1200, {PlainKey::kTtp}));
	return r;
}

Rules Reddit() {
	Rules r;
	Set(r, MatchKey::kEmail, FieldRule(Use::kSent, 2500, Field::kEmail));
	Set(r, MatchKey::kPhone, FieldRule(Use::kSent, 1500, Field::kPhone));
	Set(r, MatchKey::kExternalId, FieldRule(Use::kSent, 1000, Field::kExternalId));
	Set(r, MatchKey::kIpAddress, PlainRule(900, {PlainKey::kClientIpAddress}));
	Set(r, MatchKey::kUserAgent, PlainRule(600, {PlainKey::kClientUserAgent}));
	Set(r, MatchKey::kClickId, PlainRule(2500, {PlainKey::kRdtClickId}));
	Set(r, MatchKey::kBrowserId, PlainRule(1000, {PlainKey::kRdtUuid}));
	return r;
}

// LinkedIn takes names, country (userInfo) and external ids in clear, which the outbox never stores:
// from the outbox it gets the email digest, the li_fat_id and an IPv4 address.
Rules LinkedIn() {
	Rules r;
	Set(r, MatchKey::kEmail, FieldRule(Use::kSent, 4500, Field::kEmail));
	Set(r, MatchKey::kFirstName, FieldRule(Use::kWithheld, 0, Field::kFirstName));
	Set(r, MatchKey::kLastName, FieldRule(Use::kWithheld, 0, Field::kLastName));
	Set(r, MatchKey::kCountry, FieldRule(Use::kWithheld, 0, Field::kCountry));
	Set(r, MatchKey::kExternalId, FieldRule(Use::kWithheld, 0, Field::kExternalId));
	KeyRule ip = PlainRule(1500, {PlainKey::kClientIpAddress});
	ip.ipv4_only = true;
	Set(r, MatchKey::kIpAddress, ip);
	Set(r, MatchKey::kClickId, PlainRule(4000, {PlainKey::kLiFatId}));
	return r;
}

struct Table {
	std::array<Rules, kPlatformCount> rules;
	std::array<std::uint32_t, kPlatformCount> sent{};
};

const Table &TheTable() {
	static const Table *const table = [] {
		Table *t = new Table(); // never freed: no static destructor
		for (std::size_t p = 0; p < kPlatformCount; ++p) {
			Platform platform = static_cast<Platform>(p);
			switch (platform) {
			case Platform::kMeta:
			case Platform::kSnap:
			case Platform::kPinterest:
				t->rules[p] = MetaLike(platform);
				break;
			case Platform::kGoogle:
				t->rules[p] = Google();
				break;
			case Platform::kTikTok:
				t->rules[p] = TikTok();
				break;
			case Platform::kLinkedIn:
				t->rules[p] = LinkedIn();
				break;
			case Platform::kReddit:
				t->rules[p] = Reddit();
				break;
			}
			for (std::size_t k = 0; k < kMatchKeyCount; ++k)
				if (t->rules[p][k].use == Use::kSent)
					t->sent[p] |= Bit(static_cast<MatchKey>(k));
		}
		return t;
	}();
	return *table;
}

// The state of a field for platform by the bag's lookup rule: "field@platform" when present, else
// "field".
KeyState FieldState(const StoredValues &bag, Field field, Platform platform) {
	char key[64];
	std::string_view name = identity::FieldName(field);
	std::string_view suffix = identity::PlatformName(platform);
	std::size_t length = 0;
	for (char c : name)
		key[length++] = c;
	key[length++] = '@';
	for (char c : suffix)
		key[length++] = c;
	KeyState own = bag.Probe(std::string_view(key, length), &IsUsableStoredValue);
	return own != KeyState::kAbsent ? own : bag.Probe(name, &IsUsableStoredValue);
}

KeyState PlainState(const StoredValues &bag, const KeyRule &rule) {
	KeyState best = KeyState::kAbsent;
	for (std::size_t i = 0; i < rule.plain_count; ++i) {
		KeyState state = bag.Probe(identity::PlainKeyName(rule.plain[i]),
		                           rule.ipv4_only ? &IsUsableIpv4Value : &IsUsableStoredValue);
		if (state == KeyState::kUsable)
			return state;
		if (state == KeyState::kUnusable)
			best = state;
	}
	return best;
}

int PopCount(std::uint32_t bits) {
	int count = 0;
	for (; bits != 0; bits &= bits - 1)
		++count;
	return count;
}

} // namespace

std::string_view MatchKeyName(MatchKey key) noexcept {
	return kNames[static_cast<std::size_t>(key)];
}

const KeyRule &RuleFor(Platform platform, MatchKey key) noexcept {
	return TheTable().rules[static_cast<std::size_t>(platform)][static_cast<std::size_t>(key)];
}

std::uint32_t SentKeys(Platform platform) noexcept {
	return TheTable().sent[static_cast<std::size_t>(platform)];
}

bool IsUsableStoredValue(std::string_view value) noexcept {
	value = identity::text::Trim(value);
	return !value.empty() && value != kEmptyDigest;
}

bool IsUsableIpv4Value(std::string_view value) noexcept {
	return IsUsableStoredValue(value) &&
	       identity::IsIpAddress(identity::text::Trim(value), /*ipv4_only=*/true);
}

Presence Evaluate(const StoredValues &bag, Platform platform) {
	Presence presence;
	for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
		const KeyRule &rule = TheTable().rules[static_cast<std::size_t>(platform)][k];
		if (rule.use != Use::kSent)
			continue;
		KeyState state = rule.field ? FieldState(bag, *rule.field, platform) : PlainState(bag, rule);
		if (state == KeyState::kUsable)
			presence.usable |= Bit(static_cast<MatchKey>(k));
		else if (state == KeyState::kUnusable)
			presence.unusable |= Bit(static_cast<MatchKey>(k));
	}
	return presence;
}

void AddRecordedUnusable(std::string_view user_data_key, Platform platform, Presence &presence) {
	std::optional<Field> field = identity::FindField(user_data_key);
	std::optional<PlainKey> plain = field ? std::nullopt : identity::FindPlainKey(user_data_key);
	for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
		const KeyRule &rule = TheTable().rules[static_cast<std::size_t>(platform)][k];
		if (rule.use != Use::kSent)
			continue;
		bool supplies = field ? rule.field == field : false;
		for (std::size_t i = 0; plain && i < rule.plain_count; ++i)
			supplies = supplies || rule.plain[i] == *plain;
		const std::uint32_t bit = Bit(static_cast<MatchKey>(k));
		if (supplies && (presence.usable & bit) == 0)
			presence.unusable |= bit;
	}
}

int ScoreMilli(std::uint32_t usable, Platform platform) noexcept {
	const Rules &rules = TheTable().rules[static_cast<std::size_t>(platform)];
	int score = 0;
	int address = 0;
	bool address_complete = true;
	for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
		const KeyRule &rule = rules[k];
		if (rule.use != Use::kSent)
			continue;
		const bool present = (usable & Bit(static_cast<MatchKey>(k))) != 0;
		if (rule.address_group) {
			address += rule.weight_milli;
			address_complete = address_complete && present;
		} else if (present) {
			score += rule.weight_milli;
		}
	}
	return score + (address > 0 && address_complete ? address : 0);
}

std::int64_t PackPresence(const Presence &presence, Platform platform) noexcept {
	const std::uint32_t sent = SentKeys(platform);
	const std::uint32_t usable = presence.usable & sent;
	const std::uint32_t unusable = presence.unusable & sent & ~usable;
	return static_cast<std::int64_t>(usable) | (static_cast<std::int64_t>(unusable) << 16) |
	       (static_cast<std::int64_t>(PopCount(usable)) << 32) |
	       (static_cast<std::int64_t>(PopCount(unusable)) << 40);
}

Presence UnpackPresence(std::int64_t packed) noexcept {
	Presence presence;
	presence.usable = static_cast<std::uint32_t>(packed & 0x7fff);
	presence.unusable = static_cast<std::uint32_t>((packed >> 16) & 0x7fff);
	return presence;
}

} // namespace capi::quality
