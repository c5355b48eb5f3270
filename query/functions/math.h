// Element-wise PromQL functions on one float value: abs() ... atanh(), round(), clamp*(), min_of()/max_of(), and
// the UTC date functions (year() ... minute()), with Prometheus' (Go's) results for NaN, ±Inf and -0.
//
//   functions::ElementFunction f = functions::LookupElementFunction("ln");   // null for other names
//   double y = f(x);
#ifndef VIGIL_QUERY_FUNCTIONS_MATH_H_
#define VIGIL_QUERY_FUNCTIONS_MATH_H_

#include <optional>
#include <string_view>

namespace vigil::query::functions {

// A PromQL function applied to each float sample of an instant vector independently.
using ElementFunction = double (*)(double);

// The element function called `name`: abs, ceil, floor, exp, sqrt, ln, log2, log10, sgn, deg, rad, sin, cos, tan,
// asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh; also round (to the nearest integer) and the date
// functions below by their PromQL names. Null for any other name. Out-of-domain inputs give NaN or ±Inf as in Go
// (ln(-1) = NaN, ln(0) = -Inf, sqrt(-0) = -0); sgn keeps NaN and ±0 as they are.
ElementFunction LookupElementFunction(std::string_view name);

// pi(): the constant π.
constexpr double Pi() { return 3.14159265358979323846264338327950288; }

// round(v, to_nearest): v rounded to a multiple of `to_nearest`, ties rounded up (towards +Inf), computed as
// floor(v / to_nearest + 0.5) * to_nearest through the inverse of `to_nearest`, exactly as Prometheus does (so
// to_nearest = 0 gives NaN or ±Inf like Prometheus).
double Round(double v, double to_nearest = 1);

// Go's math.Max / math.Min, which PromQL uses for max_of(), min_of() and clamp(): an infinity of the winning
// sign beats NaN, then NaN beats numbers, and +0 is larger than -0.
double GoMax(double a, double b);
double GoMin(double a, double b);

// clamp(v, min, max): max(min, min(max, v)) with GoMax/GoMin. nullopt when max < min (Prometheus then returns an
// empty vector); clamp_min(v, m) is Clamp(v, m, +Inf) and clamp_max(v, m) is Clamp(v, -Inf, m).
std::optional<double> Clamp(double v, double min, double max);

// The date functions of a Unix timestamp in seconds (UTC; fractions truncated towards zero, as Go's int64
// conversion): day_of_month 1-31, day_of_week 0-6 (Sunday = 0), day_of_year 1-366, days_in_month 28-31, hour 0-23,
// minute 0-59, month 1-12, year. Without an argument PromQL applies them to the evaluation time: pass
// static_cast<double>(eval_t_ms / 1000). NaN, ±Inf and values beyond ±2^63 seconds give NaN (Prometheus gives an
// arbitrary date for these).
double DayOfMonth(double seconds);
double DayOfWeek(double seconds);
double DayOfYear(double seconds);
double DaysInMonth(double seconds);
double Hour(double seconds);
double Minute(double seconds);
double Month(double seconds);
double Year(double seconds);

}  // namespace vigil::query::functions

#endif  // VIGIL_QUERY_FUNCTIONS_MATH_H_
