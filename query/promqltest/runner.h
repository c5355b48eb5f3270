// Runs Prometheus' PromQL test scripts (promql/promqltest/testdata/*.test) against Vigil's engine and an in-memory
// storage, following the suite's DSL.md: load/clear, eval instant/range with expect fail/warn/info/ordered/
// range vector/string, old-style eval_* forms, almost-equal float comparison, the @-pinned variants (§8.1) and the
// range-mode consistency check (§8.2) of every instant eval.
//
//   promqltest::FileResult r = promqltest::RunScript("functions.test", text);
//   r.passed, r.failed, r.skipped; r.evals[i].message says why an eval failed or was skipped.
#ifndef VIGIL_QUERY_PROMQLTEST_RUNNER_H_
#define VIGIL_QUERY_PROMQLTEST_RUNNER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::promqltest {

enum class EvalStatus { kPassed, kFailed, kSkipped };

// The outcome of one eval command.
struct EvalOutcome {
  int line = 0;  // 1-based line of the eval header
  std::string header;
  EvalStatus status = EvalStatus::kPassed;
  std::string message;  // why it failed or was skipped
};

struct FileResult {
  std::string name;
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::vector<EvalOutcome> evals;
  // Problems outside evals (a bad load line, an unknown command): each also stops nothing but is reported.
  std::vector<std::string> errors;
};

struct RunOptions {
  // Run the @-pinned variants of each instant eval (DSL §8.1).
  bool at_variants = true;
  // Run the range-mode consistency check of each instant eval (DSL §8.2).
  bool range_check = true;
};

// Runs one script. Every eval is run and reported (upstream stops a file at its first failure; counting each eval
// shows progress better).
FileResult RunScript(std::string_view name, std::string_view text, const RunOptions& options = {});

}  // namespace vigil::promqltest

#endif  // VIGIL_QUERY_PROMQLTEST_RUNNER_H_
