// JSON text as Prometheus' HTTP API writes it, appended to a std::string so a whole response is built in one
// buffer without a DOM. The number formats follow Prometheus (web/api/v1/json_codec.go, util/jsonutil and
// promql/value.go) byte for byte, because clients compare and cache responses and Grafana parses values with a
// float parser that must see what Prometheus would send:
//
//   AppendSampleValue(1e6)    -> "1000000"     (quoted; 'e' form below 1e-6 and from 1e21: "1e-07", "1e+21")
//   AppendSampleValue(NaN)    -> "NaN"         ("+Inf", "-Inf" likewise)
//   AppendTimestamp(1500)     -> 1.500         (seconds, three decimals when there is a fraction, unquoted)
//   AppendTimestamp(4000)     -> 4
//   AppendScalarValue(1e-7)   -> "0.0000001"   (scalars always use the positional form)
//   AppendFloatSeconds(1500)  -> 1.5           (scalar and string results: Go's encoding of float64(t)/1000)
#ifndef VIGIL_QUERY_API_JSON_H_
#define VIGIL_QUERY_API_JSON_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "model/labels.h"

namespace vigil::query::api {

// Appends `s` as a quoted JSON string the way Go's encoding/json (and jsoniter's compatible mode) write it:
// `"` and `\` escaped, \n \r \t as such, other control characters and <, >, & as \u00XX, U+2028 and U+2029 as
// \u2028 and \u2029, and every byte that is not part of valid UTF-8 as \ufffd.
void AppendJsonString(std::string_view s, std::string* out);

// Appends a sample value as Prometheus' jsonutil.MarshalFloat writes it: quoted, Go's strconv 'f' format with
// the shortest round-trip digits, or 'e' format when |v| < 1e-6 or |v| >= 1e21 (v != 0); "NaN", "+Inf", "-Inf".
void AppendSampleValue(double v, std::string* out);

// Appends the value of a scalar result: quoted, always Go's 'f' format with the shortest digits
// (strconv.FormatFloat(v, 'f', -1, 64)), so 1e-7 is "0.0000001" and 1e300 is written out in full.
void AppendScalarValue(double v, std::string* out);

// Appends a millisecond timestamp as seconds, unquoted, as jsonutil.MarshalTimestamp writes it: the integer
// seconds, then '.' and exactly three digits when the milliseconds are not zero ("-1.500" for -1500).
void AppendTimestamp(int64_t t_ms, std::string* out);

// Appends float64(t_ms)/1000 as Go's encoding/json writes a float64 (shortest digits, 'f' form unless the
// exponent is below -6 or at least 21), as Prometheus writes the time of scalar and string results.
void AppendFloatSeconds(int64_t t_ms, std::string* out);

// Appends `v` as Go's encoding/json writes a float64 (shortest digits; 'e' form with a one-digit negative
// exponent when |v| < 1e-6 or >= 1e21). Non-finite values, which JSON cannot hold, are written as 0.
void AppendJsonNumber(double v, std::string* out);

// Appends `s` quoted as Prometheus writes label names and values (jsoniter's Stream.WriteString): control
// characters, `"` and `\` escaped, every other byte as it is.
void AppendPlainJsonString(std::string_view s, std::string* out);

// Appends `labels` as a JSON object {"name":"value",...} in label order.
void AppendLabelsObject(const Labels& labels, std::string* out);

// Go's strconv.FormatFloat(v, 'f', -1, 64) and (v, 'e', -1, 64), unquoted; for the functions above and for
// texts that quote values (alert values use 'e').
void AppendGoFloatF(double v, std::string* out);
void AppendGoFloatE(double v, std::string* out);

// Go's %q of a string in the simple cases the API's error texts need: double quotes, with `"` and `\` escaped
// and control characters written as \n, \t, \r or \xNN.
std::string GoQuote(std::string_view s);

}  // namespace vigil::query::api

#endif  // VIGIL_QUERY_API_JSON_H_
