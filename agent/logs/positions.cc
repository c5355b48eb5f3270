#include "agent/logs/positions.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"

namespace vigil::agent::logs {

std::string FormatPositions(const std::vector<PositionEntry>& entries) {
  std::string out = "# vigil-agent log positions v1\n";
  for (const PositionEntry& e : entries) {
    absl::StrAppendFormat(&out, "%d %d %d %08x %d ", e.device, e.inode, e.fingerprint_len, e.fingerprint, e.offset);
    for (char c : e.path) out.push_back(c == '\n' ? '?' : c);
    out.push_back('\n');
  }
  return out;
}

absl::StatusOr<std::vector<PositionEntry>> ParsePositions(std::string_view text) {
  std::vector<PositionEntry> out;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty() || line[0] == '#') continue;
    // Five numeric fields, then the path.
    std::string_view fields[5];
    for (std::string_view& f : fields) {
      const size_t sp = line.find(' ');
      if (sp == std::string_view::npos) {
        return absl::InvalidArgumentError(absl::StrCat("positions line ", line_no, ": expected 6 fields"));
      }
      f = line.substr(0, sp);
      line.remove_prefix(sp + 1);
    }
    PositionEntry e;
    uint64_t fp_len = 0;
    if (!absl::SimpleAtoi(AV(fields[0]), &e.device) || !absl::SimpleAtoi(AV(fields[1]), &e.inode) ||
        !absl::SimpleAtoi(AV(fields[2]), &fp_len) || fp_len > UINT32_MAX ||
        !absl::SimpleHexAtoi(AV(fields[3]), &e.fingerprint) || !absl::SimpleAtoi(AV(fields[4]), &e.offset)) {
      return absl::InvalidArgumentError(absl::StrCat("positions line ", line_no, ": bad number in \"", AV(fields[0]),
                                                     " ", AV(fields[1]), " ", AV(fields[2]), " ", AV(fields[3]), " ",
                                                     AV(fields[4]), "\""));
    }
    e.fingerprint_len = static_cast<uint32_t>(fp_len);
    e.path = std::string(line);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace vigil::agent::logs
