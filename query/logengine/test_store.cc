#include "query/logengine/test_store.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "tsdb/kv/memory_kv_store.h"

namespace vigil::logengine {

TestLogStore::TestLogStore() : clock_(absl::FromUnixSeconds(1700000000)) {
  tsdb::logs::LogStoreOptions options;
  options.retention = absl::ZeroDuration();
  options.max_future = absl::ZeroDuration();
  options.out_of_order_window = absl::Hours(24 * 365 * 100);
  auto s = tsdb::logs::LogStore::Open(std::make_shared<kv::MemoryKvStore>(), options, &clock_);
  if (!s.ok()) {
    std::fprintf(stderr, "TestLogStore: %s\n", s.status().ToString().c_str());
    std::abort();
  }
  store_ = std::move(*s);
}

void TestLogStore::Push(const Labels& stream, const std::vector<TestEntry>& entries) {
  std::vector<tsdb::logs::LogEntry> batch;
  for (const TestEntry& e : entries) {
    batch.push_back(tsdb::logs::LogEntry{.timestamp_ns = e.ts_ns, .line = e.line, .structured_metadata = e.metadata});
  }
  std::unique_ptr<tsdb::logs::LogAppender> app = store_->NewAppender();
  absl::Status st = app->Append(stream, std::move(batch));
  if (st.ok()) st = app->Commit();
  if (!st.ok() || app->rejections().total() > 0) {
    std::fprintf(stderr, "TestLogStore::Push: %s %s\n", st.ToString().c_str(), app->rejections().Summary().c_str());
    std::abort();
  }
}

}  // namespace vigil::logengine
