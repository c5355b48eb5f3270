// Go's strconv.ParseFloat for decimal text, for inputs that Prometheus parses with it: the HTTP API's time and
// duration parameters and the values in promqltest files.
#ifndef VIGIL_BASE_STRINGS_GO_FLOAT_H_
#define VIGIL_BASE_STRINGS_GO_FLOAT_H_

#include <string_view>

namespace vigil {

// Parses the whole of `s`: an optional sign, digits with an optional fraction and exponent, or "Inf",
// "Infinity", "NaN" in any case. Returns false, leaving *out alone, for anything else: spaces, a second sign,
// hexadecimal, "nan(...)", and values out of double's range (Go returns an error for those too).
bool ParseGoFloat(std::string_view s, double* out);

}  // namespace vigil

#endif  // VIGIL_BASE_STRINGS_GO_FLOAT_H_
