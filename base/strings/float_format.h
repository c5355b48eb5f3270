// Text for float64 values as Prometheus writes them (Go's strconv 'g' shortest form): the shortest decimal that
// parses back to the same double, integral values up to 2^53 as plain digits, and NaN, +Inf, -Inf. Shared by
// the self-metrics exposition, the exposition writer and (later) the query API, which must all agree.
#ifndef VIGIL_BASE_STRINGS_FLOAT_FORMAT_H_
#define VIGIL_BASE_STRINGS_FLOAT_FORMAT_H_

#include <string>

namespace vigil {

// Appends `value`: "0.1", "1e-09", "2.5e+300", "16000000000", "-0", "NaN", "+Inf", "-Inf". Every finite double
// round-trips bit for bit through strtod; every NaN is written "NaN".
void AppendFloat(double value, std::string* out);

}  // namespace vigil

#endif  // VIGIL_BASE_STRINGS_FLOAT_FORMAT_H_
