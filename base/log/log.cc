#include "base/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/strings/absl_view.h"
#include "base/strings/json_escape.h"

namespace vigil::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::atomic<Sink*> g_sink{nullptr};
std::atomic<absl::Time (*)()> g_now{nullptr};

// logfmt: a value needs quotes when it is empty or holds a space, a quote, '=' or a control character.
bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return true;
  for (unsigned char c : v) {
    if (c <= ' ' || c == '"' || c == '=' || c == 0x7f) return true;
  }
  return false;
}

void AppendValue(std::string* out, std::string_view v) {
  if (!NeedsQuotes(v)) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (unsigned char c : v) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      AppendJsonEscapedByte(c, out);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "unknown";
}

absl::StatusOr<Level> ParseLevel(std::string_view name) {
  std::string lower = absl::AsciiStrToLower(AV(name));
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown log level \"", AV(name), "\": want one of debug, info, warn, error"));
}

void SetLevel(Level level) { g_level.store(level, std::memory_order_relaxed); }
Level GetLevel() { return g_level.load(std::memory_order_relaxed); }
void SetSink(Sink* sink) { g_sink.store(sink, std::memory_order_release); }
void SetTimeSource(absl::Time (*now)()) { g_now.store(now, std::memory_order_release); }

Field::Field(std::string_view key, std::string_view value) : key_(key), value_(value) {}
Field::Field(std::string_view key, int64_t value) : key_(key), value_(absl::StrCat(value)) {}
Field::Field(std::string_view key, uint64_t value) : key_(key), value_(absl::StrCat(value)) {}
Field::Field(std::string_view key, double value) : key_(key), value_(absl::StrFormat("%g", value)) {}
Field::Field(std::string_view key, bool value) : key_(key), value_(value ? "true" : "false") {}
Field::Field(std::string_view key, absl::Duration value) : key_(key), value_(absl::FormatDuration(value)) {}
Field::Field(std::string_view key, const absl::Status& value)
    : key_(key), value_(value.ok() ? std::string("ok") : std::string(value.message())) {}

std::string FormatLine(absl::Time ts, Level level, std::string_view caller, std::string_view msg,
                       std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(96 + msg.size());
  line.append("ts=");
  line.append(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", ts, absl::UTCTimeZone()));
  line.append(" level=");
  line.append(LevelName(level));
  line.append(" caller=");
  AppendValue(&line, caller);
  line.append(" msg=");
  AppendValue(&line, msg);
  for (const Field& f : fields) {
    line.push_back(' ');
    line.append(f.key());
    line.push_back('=');
    AppendValue(&line, f.value());
  }
  return line;
}

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields, const std::source_location& loc) {
  if (!Enabled(level)) return;
  absl::Time (*now)() = g_now.load(std::memory_order_acquire);
  std::string caller = absl::StrCat(AV(BaseName(loc.file_name())), ":", loc.line());
  std::string line = FormatLine(now != nullptr ? now() : absl::Now(), level, caller, msg, fields);
  if (Sink* sink = g_sink.load(std::memory_order_acquire); sink != nullptr) {
    sink->Write(line);
    return;
  }
  line.push_back('\n');
  // One write(2) per line keeps concurrent lines whole (stderr is unbuffered in stdio anyway).
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // Nowhere left to report a failure to log.
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace vigil::log
