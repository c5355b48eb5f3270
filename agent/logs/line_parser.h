// Parsing of container log file lines (shared docs contract.md section 5.5), in place over a read buffer:
//   CRI (containerd, CRI-O):  2016-10-06T00:17:09.669794202Z stdout F hello
//   Docker json-file:         {"log":"hello\n","stream":"stdout","time":"2016-10-20T18:39:20.57606443Z"}
// A parsed line says its time, stream, message and whether the record continues on the next line (CRI tag P, a
// Docker "log" without a trailing newline). Joining partial records is the tailer's job (LogReader).
#ifndef VIGIL_AGENT_LOGS_LINE_PARSER_H_
#define VIGIL_AGENT_LOGS_LINE_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::agent::logs {

// The two on-disk formats.
enum class LogFormat { kCri, kDocker };

// The stream a line was written to.
enum class LogStream : uint8_t { kUnknown = 0, kStdout = 1, kStderr = 2 };

// "stdout", "stderr", or "" for kUnknown.
std::string_view LogStreamName(LogStream s);

// One parsed file line.
struct ParsedLine {
  int64_t timestamp_ns = 0;
  LogStream stream = LogStream::kUnknown;
  // True when the record continues in the next line (CRI "P"; Docker "log" without a trailing '\n').
  bool partial = false;
  // The message without the format's framing (and, for Docker, without the trailing '\n'). A view into the
  // line (CRI) or into the scratch string given to the parser (Docker, whose strings carry escapes).
  std::string_view message;
};

// Parses an RFC 3339 time with optional fraction (up to 9 digits; more are cut) and a "Z" or +-hh:mm offset,
// into Unix nanoseconds. False for anything else.
bool ParseRfc3339Nano(std::string_view s, int64_t* ns);

// Parses one CRI line (without its '\n'). False when malformed (then *out is unspecified).
bool ParseCriLine(std::string_view line, ParsedLine* out);

// Parses one Docker json-file line (without its '\n'). The unescaped message goes to *scratch (replaced), which
// out->message views. False when malformed.
bool ParseDockerLine(std::string_view line, std::string* scratch, ParsedLine* out);

}  // namespace vigil::agent::logs

#endif  // VIGIL_AGENT_LOGS_LINE_PARSER_H_
