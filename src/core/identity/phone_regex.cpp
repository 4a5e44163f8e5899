#include "core/identity/phone_regex.hpp"

#include <memory>
#include <vector>

#include "core/identity/phone_digit_dfa.hpp"

namespace capi::identity::phone_internal {

// Answers for all strings that start with a node's prefix, or for the prefix itself.
struct PrefixNode {
	int32_t child[10] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}; // -1: not expanded
	bool fixed = false; // every string starting with this prefix gets fixed_found / fixed_end
	bool fixed_found = false;
	uint8_t fixed_end = 0;
	bool exact_known = false; // the answer for the prefix itself, if computed
	bool exact_found = false;
	uint8_t exact_end = 0;
};

struct PrefixTree {
	std::vector<PrefixNode> nodes;
};

namespace {

std::atomic<size_t> next_regex_id{0};

// Limits per tree: the international and national prefixes are short, so their trees usually end
// in fixed answers a few digits deep; general patterns only need their first digits to rule out
// national prefixes (no number starts with 0 in most regions).
constexpr size_t kMaxDepth[] = {8, 3};
constexpr size_t kMaxNodes[] = {400, 120};

icu::UnicodeString Ascii(std::string_view text) {
	return icu::UnicodeString(text.data(), static_cast<int32_t>(text.size()), US_INV);
}

} // namespace

DigitRegex::DigitRegex(const std::string &pattern) : source_(pattern), id_(next_regex_id.fetch_add(1)) {
	for (auto &tree : trees_)
		tree.store(nullptr, std::memory_order_relaxed);
}

// Compiled on first use (most metadata expressions are only ever asked for full matches, which the
// DFA answers); threads racing keep the first published pattern. Leaked with the expression.
const icu::RegexPattern *DigitRegex::Pattern() const {
	const icu::RegexPattern *pattern = pattern_.load(std::memory_order_acquire);
	if (pattern != nullptr || pattern_invalid_.load(std::memory_order_relaxed))
		return pattern;
	UParseError parse_error;
	UErrorCode status = U_ZERO_ERROR;
	std::unique_ptr<icu::RegexPattern> compiled(
	    icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(source_), 0, parse_error, status));
	if (U_FAILURE(status) || compiled == nullptr) {
		pattern_invalid_.store(true, std::memory_order_relaxed);
		return nullptr;
	}
	const icu::RegexPattern *expected = nullptr;
	if (pattern_.compare_exchange_strong(expected, compiled.get(), std::memory_order_acq_rel))
		return compiled.release();
	return expected;
}

// RegexMatcher is not thread-safe: one per expression and thread, created on first use and leaked
// with the thread (bounded by the number of metadata expressions).
icu::RegexMatcher *DigitRegex::ThreadMatcher() const {
	static thread_local std::vector<icu::RegexMatcher *> *matchers = nullptr;
	const icu::RegexPattern *pattern = Pattern();
	if (pattern == nullptr)
		return nullptr;
	if (matchers == nullptr)
		matchers = new std::vector<icu::RegexMatcher *>();
	if (matchers->size() <= id_)
		matchers->resize(id_ + 1, nullptr);
	icu::RegexMatcher *&matcher = (*matchers)[id_];
	if (matcher == nullptr) {
		UErrorCode status = U_ZERO_ERROR;
		matcher = pattern->matcher(status);
		if (U_FAILURE(status)) {
			delete matcher;
			matcher = nullptr;
		}
	}
	return matcher;
}

// Runs the expression on this thread's matcher.
bool DigitRegex::Run(Question question, std::string_view digits, size_t *end) const {
	icu::RegexMatcher *matcher = ThreadMatcher();
	if (matcher == nullptr)
		return false;
	icu::UnicodeString input = Ascii(digits);
	UErrorCode status = U_ZERO_ERROR;
	matcher->reset(input);
	bool found = question == kLookingAt ? matcher->lookingAt(status) : matcher->matches(status);
	if (found && end != nullptr)
		*end = static_cast<size_t>(matcher->end(status));
	return found && U_SUCCESS(status);
}

PrefixTree *DigitRegex::BuildTree(Question question) const {
	auto *tree = new PrefixTree();
	icu::RegexMatcher *matcher = ThreadMatcher();
	if (matcher == nullptr) {
		tree->nodes.emplace_back();
		tree->nodes[0].fixed = true; // never matches
		return tree;
	}
	// Breadth first, so that the size limit cuts the deepest prefixes.
	struct Pending {
		int32_t node;
		std::string prefix;
	};
	std::vector<Pending> queue{{0, std::string()}};
	tree->nodes.emplace_back();
	for (size_t next = 0; next < queue.size(); next++) {
		Pending pending = queue[next];
		icu::UnicodeString input = Ascii(pending.prefix);
		UErrorCode status = U_ZERO_ERROR;
		matcher->reset(input);
		bool found = question == kLookingAt ? matcher->lookingAt(status) : matcher->matches(status);
		size_t end = found ? static_cast<size_t>(matcher->end(status)) : 0;
		bool hit_end = matcher->hitEnd();
		if (U_FAILURE(status)) {
			// Leave the node open and unexpanded: callers then run the expression themselves.
			continue;
		}
		PrefixNode &node = tree->nodes[pending.node];
		node.exact_known = true;
		node.exact_found = found;
		node.exact_end = static_cast<uint8_t>(end);
		// A full match that succeeded on P still depends on what follows P; a failure does not.
		if (!hit_end && (question == kLookingAt || !found)) {
			node.fixed = true;
			node.fixed_found = found;
			node.fixed_end = static_cast<uint8_t>(end);
			continue;
		}
		if (pending.prefix.size() >= kMaxDepth[question] || tree->nodes.size() + 10 > kMaxNodes[question])
			continue;
		for (int digit = 0; digit < 10; digit++) {
			int32_t child = static_cast<int32_t>(tree->nodes.size());
			tree->nodes.emplace_back();
			tree->nodes[pending.node].child[digit] = child;
			queue.push_back({child, pending.prefix + static_cast<char>('0' + digit)});
		}
	}
	return tree;
}

// Built on first use; threads racing to build keep the first published tree.
const PrefixTree *DigitRegex::Tree(Question question) const {
	const PrefixTree *tree = trees_[question].load(std::memory_order_acquire);
	if (tree != nullptr)
		return tree;
	PrefixTree *built = BuildTree(question);
	const PrefixTree *expected = nullptr;
	if (trees_[question].compare_exchange_strong(expected, built, std::memory_order_acq_rel))
		return built;
	delete built;
	return expected;
}

namespace {

// Looks the answer up; false when the tree does not know it.
bool Lookup(const PrefixTree &tree, std::string_view digits, bool *found, size_t *end) {
	const PrefixNode *node = &tree.nodes[0];
	for (size_t i = 0;; i++) {
		if (node->fixed) {
			*found = node->fixed_found;
			*end = node->fixed_end;
			return true;
		}
		if (i == digits.size()) {
			if (!node->exact_known)
				return false;
			*found = node->exact_found;
			*end = node->exact_end;
			return true;
		}
		int32_t child = node->child[digits[i] - '0'];
		if (child < 0)
			return false;
		node = &tree.nodes[child];
	}
}

} // namespace

bool DigitRegex::LookingAt(std::string_view digits, size_t *end) const {
	bool found = false;
	if (Lookup(*Tree(kLookingAt), digits, &found, end))
		return found;
	return Run(kLookingAt, digits, end);
}

// Compiled on first use; threads racing to compile keep the first published automaton. Leaked with
// the expression (which lives as long as the process).
const DigitDfa *DigitRegex::Dfa() const {
	const DigitDfa *dfa = dfa_.load(std::memory_order_acquire);
	if (dfa != nullptr || dfa_unavailable_.load(std::memory_order_relaxed))
		return dfa;
	std::unique_ptr<DigitDfa> compiled = DigitDfa::Compile(source_);
	if (compiled == nullptr) {
		dfa_unavailable_.store(true, std::memory_order_relaxed);
		return nullptr;
	}
	const DigitDfa *expected = nullptr;
	if (dfa_.compare_exchange_strong(expected, compiled.get(), std::memory_order_acq_rel))
		return compiled.release();
	return expected; // another thread's; ours is freed
}

bool DigitRegex::FullMatch(std::string_view digits) const {
	if (const DigitDfa *dfa = Dfa())
		return dfa->FullMatch(digits);
	bool found = false;
	size_t end = 0;
	if (Lookup(*Tree(kFullMatch), digits, &found, &end))
		return found;
	return Run(kFullMatch, digits, nullptr);
}

icu::RegexMatcher *DigitRegex::LookingAtWithGroups(const icu::UnicodeString &input) const {
	icu::RegexMatcher *matcher = ThreadMatcher();
	if (matcher == nullptr)
		return nullptr;
	UErrorCode status = U_ZERO_ERROR;
	matcher->reset(input);
	if (!matcher->lookingAt(status) || U_FAILURE(status))
		return nullptr;
	return matcher;
}

} // namespace capi::identity::phone_internal
