// Runs Prometheus' PromQL test scripts against Vigil's engine: prints per file how many evals passed, failed and
// were skipped (with the reasons), and fails when a file passes fewer evals than query/promqltest/thresholds.txt
// requires.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "query/promqltest/runner.h"

namespace vigil::promqltest {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// thresholds.txt in the runfiles; its real path leads back to the source tree and the sibling ../shared.
fs::path ThresholdsPath() {
  const char* srcdir = getenv("TEST_SRCDIR");
  const char* workspace = getenv("TEST_WORKSPACE");
  if (srcdir != nullptr && workspace != nullptr) {
    fs::path p = fs::path(srcdir) / workspace / "query/promqltest/thresholds.txt";
    if (fs::exists(p)) return p;
  }
  return fs::path("query/promqltest/thresholds.txt");
}

// The local path a clone at `root` was made from (remote "origin" in .git/config), or "" if it has none or it is
// a URL. A fresh clone made for CI (`git clone -q . /tmp/vigil-ci`) has no ../shared beside it; its origin does.
fs::path LocalOrigin(const fs::path& root) {
  std::istringstream config(ReadFile(root / ".git/config"));
  bool in_origin = false;
  for (std::string line; std::getline(config, line);) {
    const size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    if (line[0] == '[') {
      in_origin = line.rfind("[remote \"origin\"]", 0) == 0;
    } else if (in_origin && line.rfind("url", 0) == 0) {
      const size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string url = line.substr(line.find_first_not_of(" ", eq + 1));
      if (url.rfind("file://", 0) == 0) url = url.substr(7);
      if (!url.empty() && url[0] == '/') return fs::path(url);
    }
  }
  return {};
}

// Where Prometheus' test scripts are: $VIGIL_PROMQL_TESTDATA, else shared/peer-suites/promql-testdata beside the
// source tree (the project's checkout layout: ../shared) or beside the checkout it was cloned from.
fs::path TestdataDir(const fs::path& thresholds) {
  if (const char* dir = getenv("VIGIL_PROMQL_TESTDATA"); dir != nullptr) return fs::path(dir);
  std::error_code ec;
  const fs::path real = fs::canonical(thresholds, ec);
  if (ec) return {};
  // <root>/query/promqltest/thresholds.txt -> <root>
  const fs::path root = real.parent_path().parent_path().parent_path();
  const fs::path suffix = "shared/peer-suites/promql-testdata";
  fs::path candidate = root.parent_path() / suffix;
  if (fs::is_directory(candidate)) return candidate;
  if (const fs::path origin = LocalOrigin(root); !origin.empty()) {
    const fs::path via_origin = fs::weakly_canonical(origin, ec).parent_path() / suffix;
    if (!ec && fs::is_directory(via_origin)) return via_origin;
  }
  return candidate;
}

TEST(PromqlSuiteTest, PassesAtLeastThresholds) {
  const fs::path thresholds_path = ThresholdsPath();
  ASSERT_TRUE(fs::exists(thresholds_path)) << "missing " << thresholds_path;
  const fs::path dir = TestdataDir(thresholds_path);
  ASSERT_TRUE(fs::is_directory(dir)) << "PromQL test data not found at " << dir
                                     << " (expected ../shared beside the checkout or beside the checkout it was cloned "
                                        "from; or set VIGIL_PROMQL_TESTDATA)";
  std::map<std::string, int> minimums;
  std::istringstream lines(ReadFile(thresholds_path));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string file;
    int min = 0;
    if (ls >> file >> min) minimums[file] = min;
  }
  const bool verbose = getenv("VIGIL_PROMQL_VERBOSE") != nullptr;
  int total_passed = 0, total_failed = 0, total_skipped = 0;
  std::map<std::string, fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".test") files[entry.path().filename().string()] = entry.path();
  }
  for (const auto& [name, path] : files) {
    const FileResult r = RunScript(name, ReadFile(path));
    total_passed += r.passed;
    total_failed += r.failed;
    total_skipped += r.skipped;
    std::cout << name << ": passed " << r.passed << " / failed " << r.failed << " / skipped " << r.skipped << "\n";
    std::map<std::string, int> skip_reasons;
    int shown = 0;
    for (const EvalOutcome& e : r.evals) {
      if (e.status == EvalStatus::kSkipped) {
        std::string reason = e.message.substr(0, e.message.find(": "));
        ++skip_reasons[reason];
        if (verbose) std::cout << "  SKIP line " << e.line << ": " << e.header << "\n    " << e.message << "\n";
      }
      if (e.status == EvalStatus::kFailed && (verbose || shown < 3)) {
        ++shown;
        std::cout << "  FAIL line " << e.line << ": " << e.header << "\n    " << e.message << "\n";
      }
    }
    for (const auto& [reason, n] : skip_reasons) std::cout << "  skipped " << n << ": " << reason << "\n";
    for (const std::string& err : r.errors) std::cout << "  error: " << err << "\n";
    auto it = minimums.find(name);
    if (it != minimums.end()) {
      EXPECT_GE(r.passed, it->second) << name << " passes fewer evals than thresholds.txt requires";
    }
  }
  std::cout << "total: passed " << total_passed << " / failed " << total_failed << " / skipped " << total_skipped
            << "\n";
  for (const auto& [name, min] : minimums) {
    EXPECT_TRUE(files.contains(name)) << "thresholds.txt names " << name << ", which is not in " << dir;
  }
}

}  // namespace
}  // namespace vigil::promqltest
