// DigitDfa: the expression is parsed into a tree, the tree into a Thompson automaton (states joined by
// digit sets and empty moves), and that into a DFA by the subset construction, on the states that
// read a digit (plus the final one) so that equal sets of choices become one DFA state.
#include "core/identity/phone_digit_dfa.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace capi::identity::phone_internal {
namespace {

constexpr uint16_t kAnyDigit = 0x3ff;
constexpr int kMaxRepeat = 32;                // numbers have at most 17 digits; metadata uses at most {0,16}
constexpr std::size_t kMaxNfaStates = 100000; // the largest metadata pattern needs a few thousand

struct Node {
	enum class Kind { kDigits, kSequence, kAlternatives, kRepeat };
	Kind kind = Kind::kSequence;
	uint16_t digits = 0; // kDigits: bit d set when the digit d matches
	int min = 1;         // kRepeat
	int max = 1;
	std::vector<Node> children;

	static Node Digits(uint16_t set) {
		Node node;
		node.kind = Kind::kDigits;
		node.digits = set;
		return node;
	}
};

bool IsDigit(char c) {
	return c >= '0' && c <= '9';
}

// Recursive descent over the subset; any other syntax makes Parse fail.
class Parser {
public:
	explicit Parser(std::string_view pattern) : p_(pattern) {}

	bool Parse(Node &root) { return Alternatives(root, 0) && pos_ == p_.size(); }

private:
	static constexpr int kMaxNesting = 64;

	char Peek() const { return pos_ < p_.size() ? p_[pos_] : '\0'; }
	bool Eat(char c) {
		if (Peek() != c || pos_ >= p_.size())
			return false;
		pos_++;
		return true;
	}

	bool Alternatives(Node &out, int depth) {
		if (depth > kMaxNesting)
			return false;
		Node alternatives;
		alternatives.kind = Node::Kind::kAlternatives;
		do {
			Node sequence;
			if (!Sequence(sequence, depth))
				return false;
			alternatives.children.push_back(std::move(sequence));
		} while (Eat('|'));
		if (alternatives.children.size() == 1)
			out = std::move(alternatives.children[0]);
		else
			out = std::move(alternatives);
		return true;
	}

	bool Sequence(Node &out, int depth) {
		out = Node();
		while (pos_ < p_.size() && Peek() != '|' && Peek() != ')') {
			Node atom;
			if (!Atom(atom, depth) || !Quantifier(atom))
				return false;
			out.children.push_back(std::move(atom));
		}
		return true;
	}

	bool Atom(Node &out, int depth) {
		const char c = p_[pos_++];
		if (IsDigit(c)) {
			out = Node::Digits(static_cast<uint16_t>(1u << (c - '0')));
			return true;
		}
		if (c == '\\' && Eat('d')) {
			out = Node::Digits(kAnyDigit);
			return true;
		}
		if (c == '[')
			return Class(out);
		if (c == '(') {
			if (Eat('?') && !Eat(':'))
				return false; // look-arounds, named groups, flags
			return Alternatives(out, depth + 1) && Eat(')');
		}
		return false;
	}

	// [...] of digits, ranges and \d; no negation.
	bool Class(Node &out) {
		uint16_t set = 0;
		while (pos_ < p_.size() && Peek() != ']') {
			if (Eat('\\')) {
				if (!Eat('d'))
					return false;
				set |= kAnyDigit;
				continue;
			}
			const char low = p_[pos_++];
			if (!IsDigit(low))
				return false;
			char high = low;
			if (Peek() == '-' && pos_ + 1 < p_.size() && p_[pos_ + 1] != ']') {
				pos_++;
				high = p_[pos_++];
				if (!IsDigit(high) || high < low)
					return false;
			}
			for (char d = low; d <= high; d++)
				set = static_cast<uint16_t>(set | (1u << (d - '0')));
		}
		if (!Eat(']'))
			return false;
		out = Node::Digits(set);
		return true;
	}

	bool Number(int &value) {
		if (!IsDigit(Peek()))
			return false;
		value = 0;
		while (IsDigit(Peek())) {
			value = value * 10 + (p_[pos_++] - '0');
			if (value > kMaxRepeat)
				return false;
		}
		return true;
	}

	// ?, {n} or {n,m}, optionally lazy (a trailing '?': the same language). *, + and {n,} are not
	// handled: the metadata's number patterns do not use them.
	bool Quantifier(Node &atom) {
		int min = 1;
		int max = 1;
		if (Eat('?')) {
			min = 0;
		} else if (Eat('{')) {
			if (!Number(min))
				return false;
			max = min;
			if (Eat(',') && !Number(max))
				return false;
			if (!Eat('}') || max < min)
				return false;
		} else {
			return Peek() != '*' && Peek() != '+';
		}
		Eat('?');
		if (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{')
			return false;
		Node repeat;
		repeat.kind = Node::Kind::kRepeat;
		repeat.min = min;
		repeat.max = max;
		repeat.children.push_back(std::move(atom));
		atom = std::move(repeat);
		return true;
	}

	std::string_view p_;
	std::size_t pos_ = 0;
};

// Thompson automaton: a state either reads one digit of `digits` and moves to `next`, or moves
// without reading along `empty`.
struct NfaState {
	uint16_t digits = 0;
	int32_t next = -1;
	std::vector<int32_t> empty;
};

class NfaBuilder {
public:
	struct Fragment {
		int32_t start;
		int32_t end;
	};

	// False when the automaton grows beyond kMaxNfaStates.
	bool Build(const Node &node, Fragment &fragment) {
		fragment = Add(node);
		return !overflow_;
	}

	std::vector<NfaState> &states() { return states_; }

private:
	int32_t New() {
		if (states_.size() >= kMaxNfaStates) {
			overflow_ = true;
			return 0;
		}
		states_.emplace_back();
		return static_cast<int32_t>(states_.size() - 1);
	}

	void Link(int32_t from, int32_t to) {
		if (!overflow_)
			states_[from].empty.push_back(to);
	}

	Fragment Add(const Node &node) {
		if (overflow_)
			return {0, 0};
		switch (node.kind) {
		case Node::Kind::kDigits: {
			const int32_t start = New();
			const int32_t end = New();
			if (!overflow_) {
				states_[start].digits = node.digits;
				states_[start].next = end;
			}
			return {start, end};
		}
		case Node::Kind::kSequence: {
			const int32_t start = New();
			int32_t end = start;
			for (const Node &child : node.children) {
				const Fragment part = Add(child);
				Link(end, part.start);
				end = part.end;
			}
			return {start, end};
		}
		case Node::Kind::kAlternatives: {
			const int32_t start = New();
			const int32_t end = New();
			for (const Node &child : node.children) {
				const Fragment part = Add(child);
				Link(start, part.start);
				Link(part.end, end);
			}
			return {start, end};
		}
		case Node::Kind::kRepeat: {
			const int32_t start = New();
			int32_t end = start;
			for (int i = 0; i < node.min; i++) {
				const Fragment part = Add(node.children[0]);
				Link(end, part.start);
				end = part.end;
			}
			const int32_t exit = New();
			for (int i = node.min; i < node.max;
			     i++) { // each further copy may be left out, with all after it
				const Fragment part = Add(node.children[0]);
				Link(end, exit);
				Link(end, part.start);
				end = part.end;
			}
			Link(end, exit);
			return {start, exit};
		}
		}
		return {0, 0};
	}

	std::vector<NfaState> states_;
	bool overflow_ = false;
};

// The subset construction over the states that read a digit, plus the final state.
class SubsetBuilder {
public:
	SubsetBuilder(const std::vector<NfaState> &nfa, int32_t final_state)
	    : nfa_(nfa), final_(final_state), mark_(nfa.size(), 0) {}

	// The states reachable from `from` by empty moves that read a digit or are final, sorted.
	std::vector<int32_t> Closure(const std::vector<int32_t> &from) {
		generation_++;
		stack_.assign(from.begin(), from.end());
		std::vector<int32_t> kept;
		while (!stack_.empty()) {
			const int32_t state = stack_.back();
			stack_.pop_back();
			if (mark_[state] == generation_)
				continue;
			mark_[state] = generation_;
			if (nfa_[state].digits != 0 || state == final_)
				kept.push_back(state);
			for (int32_t next : nfa_[state].empty)
				stack_.push_back(next);
		}
		std::sort(kept.begin(), kept.end());
		return kept;
	}

private:
	const std::vector<NfaState> &nfa_;
	int32_t final_;
	std::vector<uint32_t> mark_;
	uint32_t generation_ = 0;
	std::vector<int32_t> stack_;
};

} // namespace

std::unique_ptr<DigitDfa> DigitDfa::Compile(std::string_view pattern) {
	Node root;
	if (!Parser(pattern).Parse(root))
		return nullptr;
	NfaBuilder builder;
	NfaBuilder::Fragment whole{};
	if (!builder.Build(root, whole))
		return nullptr;
	const std::vector<NfaState> &nfa = builder.states();

	SubsetBuilder subsets(nfa, whole.end);
	std::map<std::vector<int32_t>, uint32_t> ids;
	std::vector<std::vector<int32_t>> sets;
	auto id_of = [&](std::vector<int32_t> set, bool &overflow) -> uint32_t {
		auto found = ids.find(set);
		if (found != ids.end())
			return found->second;
		if (sets.size() >= kMaxStates) {
			overflow = true;
			return kDead;
		}
		const auto id = static_cast<uint32_t>(sets.size());
		ids.emplace(set, id);
		sets.push_back(std::move(set));
		return id;
	};

	auto dfa = std::unique_ptr<DigitDfa>(new DigitDfa());
	bool overflow = false;
	id_of({}, overflow);                             // kDead: no state left
	id_of(subsets.Closure({whole.start}), overflow); // kStart
	std::vector<int32_t> moved;
	for (std::size_t state = 0; state < sets.size() && !overflow; state++) {
		dfa->accepting_.push_back(std::binary_search(sets[state].begin(), sets[state].end(), whole.end));
		for (int digit = 0; digit < 10; digit++) {
			moved.clear();
			for (int32_t nfa_state : sets[state])
				if ((nfa[nfa_state].digits >> digit) & 1)
					moved.push_back(nfa[nfa_state].next);
			const uint32_t next = moved.empty() ? kDead : id_of(subsets.Closure(moved), overflow);
			dfa->next_.push_back(static_cast<uint16_t>(next));
		}
	}
	if (overflow)
		return nullptr;
	return dfa;
}

} // namespace capi::identity::phone_internal
