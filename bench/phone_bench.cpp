// Phone normalization throughput on 100,000 generated numbers (test/unit/phone_corpus.hpp: every
// region, many formats, some garbage), each benchmark over exactly the same rows:
//   Libphonenumber          Parse + IsPossibleNumberWithReason + IsValidNumber + Format(E164): the
//                           baseline, libphonenumber computing what NormalizePhone answers
//   LibphonenumberPossible  the same without IsValidNumber: the baseline before validity was checked
//                           (issue 12), kept to compare with earlier figures
//   Reference               NormalizePhoneReference (the baseline plus the retries)
//   NormalizePhone          fast path with fallback to the reference
// Prints rows/s per benchmark and, at the end, the ratios to both baselines measured in this run.
//
//   build-<name>/phone_bench [--benchmark_repetitions=3]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "../test/unit/phone_corpus.hpp"
#include "core/identity/phone.hpp"
#include "core/identity/phone_fast.hpp"

namespace {

using capi::identity::PhoneStyle;
using capi::identity::testing::PhoneCase;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kRows = 100000;

const std::vector<PhoneCase> &Corpus() {
	static const auto *corpus =
	    new std::vector<PhoneCase>(capi::identity::testing::PhoneCorpusGenerator(7).Generate(kRows));
	return *corpus;
}

// libphonenumber needs the region upper-cased; done outside the timed loop for the baseline.
const std::vector<std::string> &UpperRegions() {
	static const auto *regions = [] {
		auto *upper = new std::vector<std::string>();
		for (const PhoneCase &c : Corpus())
			upper->push_back(capi::identity::phone_internal::RegionCode(c.region));
		return upper;
	}();
	return *regions;
}

template <bool kCheckValidity> void LibphonenumberAlone(benchmark::State &state) {
	const auto &corpus = Corpus();
	const auto &regions = UpperRegions();
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	size_t row = 0;
	std::string out;
	for (auto _ : state) {
		PhoneNumber number;
		out.clear();
		if (util.Parse(corpus[row].raw, regions[row], &number) == PhoneNumberUtil::NO_PARSING_ERROR &&
		    util.IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE &&
		    (!kCheckValidity || util.IsValidNumber(number)))
			util.Format(number, PhoneNumberUtil::E164, &out);
		benchmark::DoNotOptimize(out);
		row = (row + 1) % corpus.size();
	}
	state.SetItemsProcessed(state.iterations());
}

template <bool (*Normalize)(std::string_view, std::string_view, PhoneStyle, std::string &)>
void Normalizer(benchmark::State &state) {
	const auto &corpus = Corpus();
	size_t row = 0;
	std::string out;
	capi::identity::phone_internal::ResetPhonePathCounts();
	for (auto _ : state) {
		bool ok = Normalize(corpus[row].raw, corpus[row].region, PhoneStyle::kE164WithPlus, out);
		benchmark::DoNotOptimize(ok);
		benchmark::DoNotOptimize(out);
		row = (row + 1) % corpus.size();
	}
	state.SetItemsProcessed(state.iterations());
	auto counts = capi::identity::phone_internal::GetPhonePathCounts();
	if (counts.fast + counts.reference > 0)
		state.counters["fast_share"] = static_cast<double>(counts.fast) / (counts.fast + counts.reference);
}

// Records each benchmark's rows/s (CPU time and wall time) to print the ratios to the baseline after
// the console output. CPU time is the steadier measure on a shared machine.
class RatioReporter : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override {
		ConsoleReporter::ReportRuns(runs);
		for (const Run &run : runs) {
			if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "mean")
				continue;
			double cpu_ns = run.GetAdjustedCPUTime(); // per row, in ns (Unit(kNanosecond))
			double wall_ns = run.GetAdjustedRealTime();
			if (cpu_ns > 0 && wall_ns > 0)
				rates_[run.run_name.function_name] = {1e9 / cpu_ns, 1e9 / wall_ns};
		}
	}

	void PrintRatios() const {
		auto baseline = rates_.find("Libphonenumber");
		auto possible = rates_.find("LibphonenumberPossible");
		if (baseline == rates_.end() || possible == rates_.end())
			return;
		std::printf("\n%-24s %14s %10s %13s %13s %14s %12s\n", "benchmark", "rows/s (cpu)", "us/row",
		            "vs baseline", "vs possible", "rows/s (wall)", "vs baseline");
		for (const auto &[name, rate] : rates_) {
			std::printf("%-24s %14.0f %10.3f %12.1fx %12.1fx %14.0f %11.1fx\n", name.c_str(), rate.cpu,
			            1e6 / rate.cpu, rate.cpu / baseline->second.cpu, rate.cpu / possible->second.cpu,
			            rate.wall, rate.wall / baseline->second.wall);
		}
		std::printf("(baseline: Parse + IsPossible + IsValidNumber + Format; possible: without "
		            "IsValidNumber, as measured before issue 12)\n");
	}

private:
	struct Rates {
		double cpu;
		double wall;
	};
	std::map<std::string, Rates> rates_;
};

} // namespace

BENCHMARK_TEMPLATE(LibphonenumberAlone, true)
    ->Name("Libphonenumber")
    ->Iterations(kRows)
    ->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(LibphonenumberAlone, false)
    ->Name("LibphonenumberPossible")
    ->Iterations(kRows)
    ->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(Normalizer, capi::identity::NormalizePhoneReference)
    ->Name("Reference")
    ->Iterations(kRows)
    ->Unit(benchmark::kNanosecond);
BENCHMARK_TEMPLATE(Normalizer, capi::identity::NormalizePhone)
    ->Name("NormalizePhone")
    ->Iterations(kRows)
    ->Unit(benchmark::kNanosecond);

int main(int argc, char **argv) {
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	// Build the corpus and warm up outside the timings: one pass over every row builds the fast path's
	// tables, prefix trees and DFAs and fills libphonenumber's own expression cache, as a backend that
	// has seen its regions' numbers has them.
	Corpus();
	UpperRegions();
	std::string out;
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	for (size_t row = 0; row < Corpus().size(); row++) {
		const PhoneCase &c = Corpus()[row];
		capi::identity::NormalizePhone(c.raw, c.region, PhoneStyle::kE164WithPlus, out);
		capi::identity::NormalizePhoneReference(c.raw, c.region, PhoneStyle::kE164WithPlus, out);
		PhoneNumber number;
		if (util.Parse(c.raw, UpperRegions()[row], &number) == PhoneNumberUtil::NO_PARSING_ERROR)
			util.IsValidNumber(number);
	}
	RatioReporter reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);
	reporter.PrintRatios();
	benchmark::Shutdown();
	return 0;
}
