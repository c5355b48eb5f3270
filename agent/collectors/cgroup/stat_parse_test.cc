#include "agent/collectors/cgroup/stat_parse.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace vigil::agent::cgroup {
namespace {

TEST(StatParseTest, Integers) {
  uint64_t u = 7;
  EXPECT_TRUE(ParseUint64("123\n", &u));
  EXPECT_EQ(u, 123u);
  EXPECT_TRUE(ParseUint64("18446744073709551615", &u));
  EXPECT_FALSE(ParseUint64("18446744073709551616", &u));  // overflow
  EXPECT_FALSE(ParseUint64("max\n", &u));
  EXPECT_FALSE(ParseUint64("", &u));
  EXPECT_FALSE(ParseUint64("12x", &u));
  int64_t i = 0;
  EXPECT_TRUE(ParseInt64("-1\n", &i));
  EXPECT_EQ(i, -1);
  EXPECT_FALSE(ParseInt64("-", &i));
}

TEST(StatParseTest, KeyValuesSkipMalformedLines) {
  std::vector<std::string> seen;
  ForEachKeyValue("usage_usec 10\nnospace\n\nuser_usec 4", [&](std::string_view k, std::string_view v) {
    seen.push_back(std::string(k) + "=" + std::string(v));
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"usage_usec=10", "user_usec=4"}));
}

TEST(StatParseTest, Pressure) {
  PressureTotals t = ParsePressure(
      "some avg10=0.12 avg60=0.00 avg300=0.00 total=12345\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=678\n");
  EXPECT_TRUE(t.has_some);
  EXPECT_TRUE(t.has_full);
  EXPECT_EQ(t.some_usec, 12345u);
  EXPECT_EQ(t.full_usec, 678u);
  t = ParsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=5\n");  // cpu.pressure before Linux 5.13
  EXPECT_TRUE(t.has_some);
  EXPECT_FALSE(t.has_full);
  t = ParsePressure("garbage total=x\n");
  EXPECT_FALSE(t.has_some);
}

TEST(StatParseTest, IoStat) {
  std::vector<DeviceIo> devs;
  ForEachIoStat("8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=5 dios=6\nbad line\n259:1 rbytes=9\n",
                [&](const DeviceIo& io) { devs.push_back(io); });
  ASSERT_EQ(devs.size(), 2u);
  EXPECT_EQ(devs[0].major, 8u);
  EXPECT_EQ(devs[0].minor, 0u);
  EXPECT_EQ(devs[0].read_bytes, 1u);
  EXPECT_EQ(devs[0].write_bytes, 2u);
  EXPECT_EQ(devs[0].reads, 3u);
  EXPECT_EQ(devs[0].writes, 4u);
  EXPECT_EQ(devs[1].major, 259u);
  EXPECT_EQ(devs[1].minor, 1u);
  EXPECT_EQ(devs[1].read_bytes, 9u);
  EXPECT_EQ(devs[1].writes, 0u);
}

TEST(StatParseTest, NetDev) {
  const char* text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls "
      "carrier compressed\n"
      "    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0 "
      "      0          0\n"
      "  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
      "  bad: 1 2 3\n";
  std::vector<NetDevCounters> out;
  ForEachNetDev(text, [&](const NetDevCounters& c) { out.push_back(c); });
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].interface, "lo");
  EXPECT_EQ(out[1].interface, "eth0");
  EXPECT_EQ(out[1].rx_bytes, 1u);
  EXPECT_EQ(out[1].rx_dropped, 4u);
  EXPECT_EQ(out[1].tx_bytes, 9u);
  EXPECT_EQ(out[1].tx_dropped, 12u);
  EXPECT_TRUE(IsIgnoredInterface("lo"));
  EXPECT_TRUE(IsIgnoredInterface("veth12ab"));
  EXPECT_TRUE(IsIgnoredInterface("docker0"));
  EXPECT_FALSE(IsIgnoredInterface("eth0"));
}

}  // namespace
}  // namespace vigil::agent::cgroup
