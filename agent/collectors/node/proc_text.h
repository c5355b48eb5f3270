// Reading and scanning the small text files of procfs and sysfs without allocating per line or per cycle.
//
//   FileReader reader;                       // one per collector: its buffer is reused every cycle
//   std::string_view text;
//   VIGIL_RETURN_IF_ERROR(reader.Read(path, &text));
//   for (std::string_view line; NextLine(&text, &line);) {
//     std::string_view key = NextField(&line);
//     uint64_t v = 0;
//     if (ParseUint(NextField(&line), &v)) ...
//   }
#ifndef VIGIL_AGENT_COLLECTORS_NODE_PROC_TEXT_H_
#define VIGIL_AGENT_COLLECTORS_NODE_PROC_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace vigil::agent::node {

// Reads whole files into one buffer that grows to the largest file seen and is then reused, so a collection
// cycle does not allocate. Not thread-safe.
class FileReader {
 public:
  FileReader() = default;
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // Reads `path` (NUL-terminated, so a std::string or a literal) and points `*out` at its contents, valid until
  // the next Read. Errors name the path and the reason; NotFound when the file does not exist.
  absl::Status Read(const char* path, std::string_view* out);
  absl::Status Read(const std::string& path, std::string_view* out) { return Read(path.c_str(), out); }

 private:
  std::string buf_;
};

// Cuts the next line (without its '\n') from `*text`. False when `*text` is empty.
bool NextLine(std::string_view* text, std::string_view* line);

// Cuts the next field separated by blanks (spaces, tabs) from `*text`, skipping leading blanks. Empty at the end.
std::string_view NextField(std::string_view* text);

// Strips leading and trailing blanks and newlines.
std::string_view Trim(std::string_view s);

// Parses a whole decimal unsigned integer. False on anything else (empty, sign, trailing bytes, overflow).
bool ParseUint(std::string_view s, uint64_t* out);
// Parses a whole integer: decimal with an optional '-', or hexadecimal with "0x" (sysfs "flags" files).
bool ParseInt(std::string_view s, int64_t* out);
// Parses a whole decimal floating point number ("0.45", "12").
bool ParseDouble(std::string_view s, double* out);

// Joins `base` and `rel` with one '/' into `*out` (replacing its contents; no allocation once it has grown).
void JoinPathInto(std::string_view base, std::string_view rel, std::string* out);

}  // namespace vigil::agent::node

#endif  // VIGIL_AGENT_COLLECTORS_NODE_PROC_TEXT_H_
