#include "agent/collectors/cgroup/stat_parse.h"

#include <limits>

namespace vigil::agent::cgroup {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ParseUint64(std::string_view s, uint64_t* out) {
  s = Trim(s);
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  s = Trim(s);
  bool neg = !s.empty() && s.front() == '-';
  if (neg) s.remove_prefix(1);
  uint64_t v = 0;
  if (!ParseUint64(s, &v) || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  *out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  return true;
}

PressureTotals ParsePressure(std::string_view text) {
  PressureTotals out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    size_t pos = line.find("total=");
    if (pos == std::string_view::npos) continue;
    std::string_view num = line.substr(pos + 6);
    size_t end = num.find(' ');
    if (end != std::string_view::npos) num = num.substr(0, end);
    uint64_t v = 0;
    if (!ParseUint64(num, &v)) continue;
    if (line.substr(0, 5) == "some ") {
      out.has_some = true;
      out.some_usec = v;
    } else if (line.substr(0, 5) == "full ") {
      out.has_full = true;
      out.full_usec = v;
    }
  }
  return out;
}

bool ParseMajorMinor(std::string_view s, uint32_t* major, uint32_t* minor, std::string_view* rest) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  size_t end = s.find_first_of(" \t", colon);
  std::string_view mi = s.substr(colon + 1, end == std::string_view::npos ? std::string_view::npos : end - colon - 1);
  uint64_t ma = 0, mn = 0;
  if (!ParseUint64(s.substr(0, colon), &ma) || !ParseUint64(mi, &mn)) return false;
  if (ma > std::numeric_limits<uint32_t>::max() || mn > std::numeric_limits<uint32_t>::max()) return false;
  *major = static_cast<uint32_t>(ma);
  *minor = static_cast<uint32_t>(mn);
  *rest = end == std::string_view::npos ? std::string_view() : s.substr(end + 1);
  return true;
}

bool IsIgnoredInterface(std::string_view name) {
  for (std::string_view p :
       {std::string_view("lo"), std::string_view("veth"), std::string_view("docker"), std::string_view("nerdctl")}) {
    if (name.substr(0, p.size()) == p) return true;
  }
  return false;
}

namespace internal {
std::string_view NextField(std::string_view* s) {
  size_t i = 0;
  while (i < s->size() && ((*s)[i] == ' ' || (*s)[i] == '\t')) ++i;
  size_t j = i;
  while (j < s->size() && (*s)[j] != ' ' && (*s)[j] != '\t') ++j;
  std::string_view field = s->substr(i, j - i);
  s->remove_prefix(j);
  return field;
}
}  // namespace internal

}  // namespace vigil::agent::cgroup
