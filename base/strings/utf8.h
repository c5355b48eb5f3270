// UTF-8 encoding of one code point, shared by the parsers that decode escapes (\u, \U, Prometheus' U__ label
// names) into UTF-8 text: the PromQL lexer and string literals, the promqltest series parser, the HTTP API.
#ifndef VIGIL_BASE_STRINGS_UTF8_H_
#define VIGIL_BASE_STRINGS_UTF8_H_

#include <cstdint>
#include <string>

namespace vigil {

// Appends the UTF-8 encoding of code point `cp` (1 to 4 bytes). The caller validates `cp` (<= U+10FFFF, not a
// surrogate) where that matters; larger values are written as 4 bytes from their low 21 bits.
void AppendUtf8(uint32_t cp, std::string* out);

}  // namespace vigil

#endif  // VIGIL_BASE_STRINGS_UTF8_H_
