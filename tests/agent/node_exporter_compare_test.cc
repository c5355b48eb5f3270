// The node collectors against the real thing: Debian's prometheus-node-exporter runs on this host with the same
// collectors and excludes, and is scraped right before and right after the node collectors run here. Both must
// expose the same metric families (name, TYPE, HELP) with the same label sets; values that cannot change
// (MemTotal, boot time, uname, os-release) must be equal, and counters must lie between the two scrapes.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/collector/testing/recording_sink.h"
#include "agent/collectors/node/node_collectors.h"
#include "base/http/client.h"
#include "gtest/gtest.h"
#include "model/labels.h"
#include "tests/support/subprocess.h"
#include "wire/exposition/parser.h"

namespace vigil {
namespace {

using agent::RecordingSink;
using exposition::MetricType;

constexpr char kNodeExporter[] = "/usr/bin/prometheus-node-exporter";

// What a scrape says, in the shape RecordingSink keeps (families by name, series by Labels::ToString()).
using Families = std::map<std::string, RecordingSink::RecordedFamily>;

// node_exporter's own bookkeeping, not collector output.
bool Ignored(std::string_view name) {
  return name.rfind("node_", 0) != 0 || name.rfind("node_scrape_collector_", 0) == 0 ||
         name == "node_exporter_build_info" || name == "node_textfile_scrape_error";
}

struct ScrapeHandler {
  Families* out;
  void OnSample(const exposition::ParsedSample& s) {
    if (Ignored(s.name)) return;
    LabelsBuilder b;
    for (const Label& l : s.labels) b.Set(l.name, l.value);
    (*out)[std::string(s.name)].samples[b.Build().ToString()] = s.value;
  }
  void OnMetadata(const exposition::FamilyMetadata& m) {
    if (Ignored(m.name)) return;
    RecordingSink::RecordedFamily& f = (*out)[std::string(m.name)];
    f.type = m.type;
    f.help = std::string(m.help);
  }
};

absl::StatusOr<Families> Scrape(int port) {
  http::HttplibClient client;
  absl::StatusOr<http::ClientResponse> resp =
      client.Get(absl::StrCat("http://127.0.0.1:", port, "/metrics"), {}, absl::Seconds(30));
  if (!resp.ok()) return resp.status();
  if (resp->status != 200) return absl::InternalError(absl::StrCat("node_exporter: HTTP ", resp->status));
  Families out;
  ScrapeHandler handler{&out};
  absl::Status s = exposition::ParseText(resp->body, exposition::Format::kPrometheusText, handler);
  if (!s.ok()) return s;
  // Families announced but empty (node_network_carrier when no link reports one) are not compared.
  for (auto it = out.begin(); it != out.end();) it = it->second.samples.empty() ? out.erase(it) : std::next(it);
  return out;
}

std::set<std::string> Names(const Families& f) {
  std::set<std::string> out;
  for (const auto& [name, family] : f) out.insert(name);
  return out;
}

std::vector<std::string> Difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// Families whose values cannot change between the scrapes.
const std::set<std::string>& StaticFamilies() {
  static const auto* const s = new std::set<std::string>{"node_memory_MemTotal_bytes",
                                                         "node_memory_SwapTotal_bytes",
                                                         "node_memory_Hugepagesize_bytes",
                                                         "node_boot_time_seconds",
                                                         "node_uname_info",
                                                         "node_os_info",
                                                         "node_os_version",
                                                         "node_filefd_maximum",
                                                         "node_network_mtu_bytes",
                                                         "node_network_iface_id",
                                                         "node_network_protocol_type",
                                                         "node_time_zone_offset_seconds",
                                                         "node_disk_info",
                                                         "node_filesystem_size_bytes",
                                                         "node_filesystem_files",
                                                         "node_filesystem_readonly",
                                                         "node_filesystem_device_error",
                                                         "node_network_info"};
  return *s;
}

TEST(NodeExporterCompareTest, SameFamiliesLabelsAndValues) {
  if (access(kNodeExporter, X_OK) != 0) GTEST_SKIP() << kNodeExporter << " is not installed";
  const std::string tmp = testing::TestTmpDir();
  const int port = *testing::FreePort();
  agent::node::NodeOptions options;  // node_exporter's defaults, passed to it explicitly below (Debian patches some)
  std::vector<std::string> argv = {
      kNodeExporter,
      absl::StrCat("--web.listen-address=127.0.0.1:", port),
      "--collector.disable-defaults",
      "--collector.filesystem.mount-points-exclude=" + options.filesystem_mount_points_exclude,
      "--collector.filesystem.fs-types-exclude=" + options.filesystem_fs_types_exclude,
      "--collector.diskstats.device-exclude=" + options.diskstats_device_exclude,
      "--collector.netdev.device-exclude=" + options.netdev_device_exclude,
      "--collector.vmstat.fields=" + options.vmstat_fields};
  for (std::string_view name : agent::node::NodeCollectorNames()) argv.push_back("--collector." + std::string(name));
  auto peer = testing::Subprocess::Start(argv, tmp + "/node_exporter.log");
  ASSERT_TRUE(peer.ok()) << peer.status();
  ASSERT_TRUE(testing::WaitForHttp(absl::StrCat("http://127.0.0.1:", port, "/metrics"), 200, absl::Seconds(30)).ok())
      << peer->Output();

  absl::StatusOr<Families> before = Scrape(port);
  ASSERT_TRUE(before.ok()) << before.status();
  RecordingSink sink;
  for (auto& c : agent::node::NewNodeCollectors(options)) {
    absl::Status s = c->Collect(&sink);
    EXPECT_TRUE(s.ok()) << c->name() << ": " << s;
  }
  absl::StatusOr<Families> after = Scrape(port);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_TRUE(sink.errors().empty()) << sink.errors()[0];
  const Families& ours = sink.families();

  // The families both sides must have on any Linux host, so an empty comparison cannot pass.
  for (const char* name : {"node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1",
                           "node_boot_time_seconds", "node_uname_info", "node_network_receive_bytes_total",
                           "node_filesystem_size_bytes", "node_context_switches_total", "node_vmstat_pgfault",
                           "node_filefd_allocated", "node_time_seconds", "node_network_up"}) {
    EXPECT_TRUE(ours.count(name)) << "we lack " << name;
    EXPECT_TRUE(before->count(name)) << "node_exporter lacks " << name;
  }

  // Families one side has and the other does not. A family both scrapes of node_exporter agree on is a real
  // difference; one that appears in only one of them is transient.
  std::set<std::string> theirs = Names(*before);
  for (const std::string& n : Names(*after)) {
    if (!before->count(n)) theirs.erase(n);
  }
  std::set<std::string> mine = Names(ours);
  EXPECT_TRUE(Difference(theirs, mine).empty())
      << "only node_exporter has: " << absl::StrJoin(Difference(theirs, mine), ", ");
  EXPECT_TRUE(Difference(mine, Names(*before)).empty())
      << "only we have: " << absl::StrJoin(Difference(mine, Names(*before)), ", ");

  int compared_values = 0;
  for (const auto& [name, family] : ours) {
    auto b = before->find(name);
    auto a = after->find(name);
    if (b == before->end() || a == after->end()) continue;
    EXPECT_EQ(family.type, b->second.type) << name;
    EXPECT_EQ(family.help, b->second.help) << name;
    std::set<std::string> our_series, their_series;
    for (const auto& [labels, v] : family.samples) our_series.insert(labels);
    for (const auto& [labels, v] : b->second.samples) their_series.insert(labels);
    EXPECT_EQ(our_series, their_series) << name;
    for (const auto& [labels, v] : family.samples) {
      auto vb = b->second.samples.find(labels);
      auto va = a->second.samples.find(labels);
      if (vb == b->second.samples.end() || va == a->second.samples.end()) continue;
      if (StaticFamilies().count(name)) {
        EXPECT_EQ(v, vb->second) << name << labels;
        ++compared_values;
      } else if (family.type == MetricType::kCounter) {
        // Read between the two scrapes: between their values, give or take rounding.
        const double lo = std::min(vb->second, va->second), hi = std::max(vb->second, va->second);
        const double slack = 1e-6 * std::max(1.0, std::fabs(hi));
        EXPECT_GE(v, lo - slack) << name << labels << " before=" << vb->second << " after=" << va->second;
        EXPECT_LE(v, hi + slack) << name << labels << " before=" << vb->second << " after=" << va->second;
        ++compared_values;
      }
    }
  }
  EXPECT_GT(compared_values, 50);
  std::printf("compared %zu families, %d values\n", ours.size(), compared_values);
}

}  // namespace
}  // namespace vigil
