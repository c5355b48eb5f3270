#include "agent/loop/process_collector.h"

#include <string>

#include "agent/snapshot/snapshot.h"
#include "base/fs/in_memory_file_system.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vigil::agent {
namespace {

using ::testing::HasSubstr;

std::string Render(Snapshot* s) {
  s->Seal();
  std::string out;
  s->Render(exposition::Format::kPrometheusText, &out);
  return out;
}

TEST(ProcessCollectorTest, ReadsStatFdsLimitsAndBootTime) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/p/self/fd").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/stat", "cpu 1 2 3\nbtime 1700000000\nprocesses 5\n", false).ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/self/limits",
                                 "Limit                     Soft Limit           Hard Limit           Units\n"
                                 "Max open files            1048576              1048576              files\n",
                                 false)
                  .ok());
  // The command name has a space and a parenthesis; fields counted from after the last ')'.
  ASSERT_TRUE(fs.WriteFileAtomic("/p/self/stat",
                                 "4242 (vigil (agent) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 "
                                 "12345 20971520 2048 18446744073709551615\n",
                                 false)
                  .ok());
  for (const char* fd : {"/p/self/fd/0", "/p/self/fd/1", "/p/self/fd/2"}) {
    ASSERT_TRUE(fs.WriteFileAtomic(fd, "", false).ok());
  }
  ProcessCollector c(&fs, "/p", /*clock_ticks_per_second=*/100, /*page_size=*/4096);
  Snapshot s;
  s.Reset(0);
  ASSERT_TRUE(c.Collect(&s).ok());
  std::string page = Render(&s);
  EXPECT_THAT(page, HasSubstr("process_cpu_seconds_total 3\n"));
  EXPECT_THAT(page, HasSubstr("process_resident_memory_bytes 8388608\n"));
  EXPECT_THAT(page, HasSubstr("process_virtual_memory_bytes 20971520\n"));
  EXPECT_THAT(page, HasSubstr("process_start_time_seconds 1700000123.45\n"));
  EXPECT_THAT(page, HasSubstr("process_open_fds 3\n"));
  EXPECT_THAT(page, HasSubstr("process_max_fds 1048576\n"));
}

TEST(ProcessCollectorTest, MalformedStatIsAnError) {
  InMemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/p/self").ok());
  ASSERT_TRUE(fs.WriteFileAtomic("/p/self/stat", "garbage", false).ok());
  ProcessCollector c(&fs, "/p", 100, 4096);
  Snapshot s;
  s.Reset(0);
  absl::Status st = c.Collect(&s);
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(std::string(st.message()), HasSubstr("/p/self/stat: unexpected format"));
  EXPECT_FALSE(ProcessCollector(&fs, "/missing", 100, 4096).Collect(&s).ok());
}

TEST(ProcessCollectorTest, ReadsTheRealProcess) {
  ProcessCollector c(RealFileSystem());
  Snapshot s;
  s.Reset(0);
  ASSERT_TRUE(c.Collect(&s).ok());
  EXPECT_THAT(Render(&s), HasSubstr("process_resident_memory_bytes "));
}

}  // namespace
}  // namespace vigil::agent
