#include "tsdb/head/series_mutex.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::tsdb {
namespace {

// Threads hammering one lock: a lost update or a missed wake-up shows as a wrong count or a hang.
TEST(SeriesMutexTest, MutualExclusionUnderContention) {
  SeriesMutex mu;
  int64_t counter = 0;
  constexpr int kThreads = 4;
  constexpr int kIncrements = 50'000;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < kIncrements; ++k) {
        SeriesLock lock(&mu);
        // A read-modify-write spread over two statements, so an overlap would lose increments.
        const int64_t v = counter;
        counter = v + 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, int64_t{kThreads} * kIncrements);
  static_assert(sizeof(SeriesMutex) == 4);
}

}  // namespace
}  // namespace vigil::tsdb
