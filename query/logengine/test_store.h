// A LogStore on an in-memory kv store for tests of the LogQL engine and the Loki API: no retention, no future
// bound, so tests may push entries at any timestamp.
//
//   TestLogStore store;
//   store.Push({{"app", "x"}}, {{1000, "line"}});
//   Engine engine(store.store(), {});
#ifndef VIGIL_QUERY_LOGENGINE_TEST_STORE_H_
#define VIGIL_QUERY_LOGENGINE_TEST_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/clock/clock.h"
#include "model/labels.h"
#include "tsdb/logs/log_store.h"

namespace vigil::logengine {

// One entry to push: time, line and optional structured metadata.
struct TestEntry {
  int64_t ts_ns = 0;
  std::string line;
  Labels metadata;
};

class TestLogStore {
 public:
  TestLogStore();
  // Appends and commits; fails the test (gtest-free: aborts with a message) when the store refuses anything.
  void Push(const Labels& stream, const std::vector<TestEntry>& entries);

  tsdb::logs::LogStore* store() const { return store_.get(); }

 private:
  FakeClock clock_;
  std::unique_ptr<tsdb::logs::LogStore> store_;
};

}  // namespace vigil::logengine

#endif  // VIGIL_QUERY_LOGENGINE_TEST_STORE_H_
