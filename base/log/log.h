// Structured, levelled logging in logfmt, the format Prometheus and Loki themselves log in:
//
//   ts=2026-11-22T03:10:00.123Z level=info caller=http_server.cc:88 msg="listening" address=127.0.0.1:9090
//
// One line per call, written whole to the sink (stderr by default) so lines of concurrent threads never mix.
// Debian's Abseil 20220623 has no absl/log, hence this small logger.
//
//   vigil::log::Info("wal replayed", {{"segments", 12}, {"duration", absl::Seconds(3)}});
//   vigil::log::Error("compaction failed", {{"err", status}});
#ifndef VIGIL_BASE_LOG_LOG_H_
#define VIGIL_BASE_LOG_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vigil::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error" (as Prometheus' --log.level).
std::string_view LevelName(Level level);
absl::StatusOr<Level> ParseLevel(std::string_view name);

// Lines below this level are dropped before they are formatted. Default: kInfo.
void SetLevel(Level level);
Level GetLevel();
inline bool Enabled(Level level) { return level >= GetLevel(); }

// Receives finished lines (without the trailing newline). Must be thread-safe.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Write(std::string_view line) = 0;
};

// Replaces the sink; nullptr restores stderr. The caller keeps ownership and must keep the sink alive until
// it is replaced. Tests use this to read what was logged.
void SetSink(Sink* sink);

// Replaces the time source stamped on lines; nullptr restores absl::Now. For tests.
void SetTimeSource(absl::Time (*now)());

// One key=value pair. The value is rendered when the field is built, so temporaries are safe.
class Field {
 public:
  Field(std::string_view key, std::string_view value);
  Field(std::string_view key, const char* value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
  Field(std::string_view key, int64_t value);
  Field(std::string_view key, uint64_t value);
  Field(std::string_view key, int value) : Field(key, static_cast<int64_t>(value)) {}
  Field(std::string_view key, unsigned value) : Field(key, static_cast<uint64_t>(value)) {}
  Field(std::string_view key, long long value) : Field(key, static_cast<int64_t>(value)) {}
  Field(std::string_view key, unsigned long long value) : Field(key, static_cast<uint64_t>(value)) {}
  Field(std::string_view key, double value);
  Field(std::string_view key, bool value);
  Field(std::string_view key, absl::Duration value);
  Field(std::string_view key, const absl::Status& value);

  std::string_view key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  std::string_view key_;
  std::string value_;
};

// Formats one logfmt line; exposed for tests and for sinks that need the exact text.
std::string FormatLine(absl::Time ts, Level level, std::string_view caller, std::string_view msg,
                       std::initializer_list<Field> fields);

void Log(Level level, std::string_view msg, std::initializer_list<Field> fields,
         const std::source_location& loc = std::source_location::current());

inline void Debug(std::string_view msg, std::initializer_list<Field> fields = {},
                  const std::source_location& loc = std::source_location::current()) {
  if (Enabled(Level::kDebug)) Log(Level::kDebug, msg, fields, loc);
}
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {},
                 const std::source_location& loc = std::source_location::current()) {
  if (Enabled(Level::kInfo)) Log(Level::kInfo, msg, fields, loc);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {},
                 const std::source_location& loc = std::source_location::current()) {
  if (Enabled(Level::kWarn)) Log(Level::kWarn, msg, fields, loc);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {},
                  const std::source_location& loc = std::source_location::current()) {
  if (Enabled(Level::kError)) Log(Level::kError, msg, fields, loc);
}

}  // namespace vigil::log

#endif  // VIGIL_BASE_LOG_LOG_H_
