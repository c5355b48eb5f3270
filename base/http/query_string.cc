#include "base/http/query_string.h"

#include "absl/strings/ascii.h"

namespace vigil::http {

std::string QueryUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && absl::ascii_isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               absl::ascii_isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      auto hex = [](char h) {
        return absl::ascii_isdigit(static_cast<unsigned char>(h)) ? h - '0' : (h | 0x20) - 'a' + 10;
      };
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void ParseQueryString(std::string_view query, std::multimap<std::string, std::string>* params) {
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      if (eq == std::string_view::npos) {
        params->emplace(QueryUnescape(pair), "");
      } else {
        params->emplace(QueryUnescape(pair.substr(0, eq)), QueryUnescape(pair.substr(eq + 1)));
      }
    }
    start = end + 1;
  }
}

}  // namespace vigil::http
