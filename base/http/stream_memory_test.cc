// Memory use of a streamed upload does not grow with the body: 200 MB go from HttplibClient::PostStream, which
// generates them on the fly, into a streaming route, in one process, while the process's peak resident set
// grows by less than 50 MB. Its own test binary, so no other test's allocations move the baseline.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "base/http/client.h"
#include "base/http/server.h"
#include "gtest/gtest.h"

#ifdef VIGIL_SANITIZED
// AddressSanitizer keeps freed memory in a quarantine (256 MB by default) before reusing it, so resident memory
// would grow with everything ever allocated, live or not. A small quarantine keeps this binary's RSS a measure
// of live memory, so the bound below holds under --config=asan too. (ASAN_OPTIONS from the environment still
// override this for flags they name; .bazelrc does not name this one.)
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=4"; }
#endif

namespace vigil::http {
namespace {

constexpr uint64_t kBodyBytes = uint64_t{200} << 20;
constexpr size_t kClientPiece = size_t{256} << 10;
constexpr uint64_t kMaxGrowthBytes = uint64_t{50} << 20;

uint32_t Crc(std::string_view data, uint32_t crc) {
  return static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"), or 0 if unavailable.
uint64_t ProcStatusBytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::vector<std::string> parts = absl::StrSplit(line.substr(field.size() + 1), ' ', absl::SkipWhitespace());
    uint64_t kb = 0;
    if (!parts.empty() && absl::SimpleAtoi(parts[0], &kb)) return kb << 10;
  }
  return 0;
}

// Resets the kernel's peak-RSS mark (VmHWM) to the current RSS (Linux 4.0+). If this fails the test still
// holds: growth is measured from the current RSS to the peak, which can only overstate it.
void ResetPeakRss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

TEST(StreamMemoryTest, TwoHundredMegabytesStreamThroughInBoundedMemory) {
  Server server({.listen_address = "127.0.0.1:0", .access_log = false});
  absl::Mutex mu;
  uint64_t seen_bytes = 0;
  uint32_t seen_crc = 0;
  size_t seen_max_piece = 0;
  absl::Status seen_status;
  server.PostStream("/api/v1/import", [&](const Request&, BodyReader* body, Response* resp) {
    uint64_t bytes = 0;
    uint32_t crc = 0;
    size_t max_piece = 0;
    std::string piece;
    while (body->Read(&piece)) {
      bytes += piece.size();
      crc = Crc(piece, crc);
      max_piece = std::max(max_piece, piece.size());
    }
    resp->body = absl::StrCat(bytes);
    absl::MutexLock lock(&mu);
    seen_bytes = bytes;
    seen_crc = crc;
    seen_max_piece = max_piece;
    seen_status = body->status();
  });
  absl::Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started;
  const std::string url = absl::StrCat("http://127.0.0.1:", server.port(), "/api/v1/import");
  HttplibClient client;

  // A small upload first, so one-time allocations (worker threads, connection state) precede the baseline.
  absl::StatusOr<ClientResponse> warm = client.PostStream(
      url, {}, [n = 0](std::string* chunk) mutable { return n++ < 3 && (chunk->assign(kClientPiece, 'w'), true); },
      absl::Seconds(30));
  ASSERT_TRUE(warm.ok()) << warm.status();

  ResetPeakRss();
  const uint64_t rss_before = ProcStatusBytes("VmRSS");
  uint64_t sent = 0;
  uint32_t sent_crc = 0;
  uint64_t x = 0x243f6a8885a308d3ull;
  absl::StatusOr<ClientResponse> r = client.PostStream(
      url, {{"Content-Type", "application/openmetrics-text"}},
      [&](std::string* chunk) {
        if (sent >= kBodyBytes) return false;
        chunk->resize(static_cast<size_t>(std::min<uint64_t>(kClientPiece, kBodyBytes - sent)));
        for (size_t i = 0; i + 8 <= chunk->size(); i += 8) {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
          std::memcpy(chunk->data() + i, &x, 8);
        }
        sent += chunk->size();
        sent_crc = Crc(*chunk, sent_crc);
        return true;
      },
      absl::Seconds(60));
  const uint64_t peak_after = ProcStatusBytes("VmHWM");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, absl::StrCat(kBodyBytes));

  {
    absl::MutexLock lock(&mu);
    EXPECT_TRUE(seen_status.ok()) << seen_status;
    EXPECT_EQ(seen_bytes, kBodyBytes);
    EXPECT_EQ(seen_crc, sent_crc);
    EXPECT_LE(seen_max_piece, kMaxBodyPiece);
  }
  ASSERT_GT(rss_before, 0u) << "no VmRSS in /proc/self/status";
  const uint64_t growth = peak_after > rss_before ? peak_after - rss_before : 0;
  std::cout << "streamed " << (kBodyBytes >> 20) << " MiB; RSS before " << (rss_before >> 20) << " MiB, peak after "
            << (peak_after >> 20) << " MiB, growth " << (growth >> 10) << " KiB\n";
  RecordProperty("rss_growth_kib", static_cast<int>(growth >> 10));
  EXPECT_LT(growth, kMaxGrowthBytes);
  server.Shutdown(absl::Seconds(5));
}

}  // namespace
}  // namespace vigil::http
