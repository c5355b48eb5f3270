// Decoding of application/x-www-form-urlencoded text: URL query strings and HTML form bodies.
#ifndef VIGIL_BASE_HTTP_QUERY_STRING_H_
#define VIGIL_BASE_HTTP_QUERY_STRING_H_

#include <map>
#include <string>
#include <string_view>

namespace vigil::http {

// Decodes one component: "%XX" escapes become bytes and '+' becomes a space. A malformed escape ("%zz", a
// trailing "%") is kept as it is rather than failing, so odd input still reaches the handler to be judged.
std::string QueryUnescape(std::string_view s);

// Adds the name=value pairs of `query` ("a=1&match[]=x&match[]=y", without the leading '?') to `params` in
// order, decoded with QueryUnescape. A pair without '=' has an empty value; empty pairs ("a=1&&b=2") are
// skipped. This is how Prometheus' HTTP API reads both query strings and form-encoded POST bodies.
void ParseQueryString(std::string_view query, std::multimap<std::string, std::string>* params);

}  // namespace vigil::http

#endif  // VIGIL_BASE_HTTP_QUERY_STRING_H_
