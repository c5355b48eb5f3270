#include "base/strings/exposition_escape.h"

namespace vigil {

void AppendExpositionEscaped(std::string_view s, bool escape_quote, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c != '\\' && c != '\n' && !(escape_quote && c == '"')) continue;
    out->append(s.data() + start, i - start);
    out->push_back('\\');
    out->push_back(c == '\n' ? 'n' : c);
    start = i + 1;
  }
  out->append(s.data() + start, s.size() - start);
}

}  // namespace vigil
