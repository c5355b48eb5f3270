// The JSON escape of one ASCII byte, shared by the writers that quote strings in a JSON-compatible way: the
// query API's JSON encoder (Go's encoding/json) and the logfmt logger's quoted values.
#ifndef VIGIL_BASE_STRINGS_JSON_ESCAPE_H_
#define VIGIL_BASE_STRINGS_JSON_ESCAPE_H_

#include <string>

namespace vigil {

// Appends the escape of byte `c` as Go's encoding/json writes it: \" \\ \n \r \t, and \u00XX (lower-case hex)
// for any other byte ('<' is \u003c, 0x01 is \u0001). Which bytes need escaping is the caller's choice.
void AppendJsonEscapedByte(unsigned char c, std::string* out);

}  // namespace vigil

#endif  // VIGIL_BASE_STRINGS_JSON_ESCAPE_H_
