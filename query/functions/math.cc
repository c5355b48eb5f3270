#include "query/functions/math.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace vigil::query::functions {
namespace {

constexpr double kLn2 = 0.693147180559945309417232121458176568;
constexpr double kLn10 = 2.30258509299404568401799145468436421;

double NaN() { return std::numeric_limits<double>::quiet_NaN(); }

double Abs(double v) { return std::fabs(v); }
double Ceil(double v) { return std::ceil(v); }
double Floor(double v) { return std::floor(v); }
double Exp(double v) { return std::exp(v); }
double Sqrt(double v) { return std::sqrt(v); }
double Ln(double v) { return std::log(v); }
// Go's math.Log2: exact for powers of two, otherwise through the natural log of the mantissa.
double Log2(double v) {
  int exp = 0;
  const double frac = std::frexp(v, &exp);
  if (frac == 0.5) return static_cast<double>(exp - 1);
  return std::log(frac) * (1 / kLn2) + static_cast<double>(exp);
}
// Go's math.Log10 is derived from its Log2.
double Log10(double v) { return Log2(v) * (kLn2 / kLn10); }
double Sgn(double v) {
  if (v < 0) return -1;
  if (v > 0) return 1;
  return v;  // ±0 and NaN unchanged
}
double Deg(double v) { return v * 180 / Pi(); }
double Rad(double v) { return v * Pi() / 180; }
double Sin(double v) { return std::sin(v); }
double Cos(double v) { return std::cos(v); }
double Tan(double v) { return std::tan(v); }
double Asin(double v) { return std::asin(v); }
double Acos(double v) { return std::acos(v); }
double Atan(double v) { return std::atan(v); }
double Sinh(double v) { return std::sinh(v); }
double Cosh(double v) { return std::cosh(v); }
double Tanh(double v) { return std::tanh(v); }
double Asinh(double v) { return std::asinh(v); }
double Acosh(double v) { return std::acosh(v); }
double Atanh(double v) { return std::atanh(v); }
double RoundToInteger(double v) { return Round(v, 1); }

// A UTC civil date and time of day.
struct Civil {
  int64_t year;
  int month;        // 1..12
  int day;          // 1..31
  int day_of_year;  // 1..366
  int weekday;      // 0 = Sunday
  int hour;
  int minute;
};

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Converts Unix seconds to a proleptic Gregorian UTC date (days-from-civil inverted by eras of 400 years, which
// stays within int64 for the whole range Go handles). False for NaN, ±Inf and values outside int64.
bool ToCivil(double seconds, Civil* out) {
  // 2^63 is exactly representable; anything at or beyond it does not convert to int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (!(seconds > -kLimit && seconds < kLimit)) return false;
  const int64_t secs = static_cast<int64_t>(seconds);  // truncation towards zero, as Go's int64(f)
  const int64_t days = FloorDiv(secs, 86400);
  const int64_t sod = secs - days * 86400;
  out->hour = static_cast<int>(sod / 3600);
  out->minute = static_cast<int>(sod % 3600 / 60);
  out->weekday = static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday

  const int64_t z = days + 719468;  // days since 0000-03-01
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy_march = doe - (365 * yoe + yoe / 4 - yoe / 100);          // [0, 365], from March 1st
  const int64_t mp = (5 * doy_march + 2) / 153;                               // [0, 11], March = 0
  out->day = static_cast<int>(doy_march - (153 * mp + 2) / 5 + 1);
  out->month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  out->year = yoe + era * 400 + (out->month <= 2 ? 1 : 0);
  int doy = out->day;
  for (int m = 1; m < out->month; ++m) doy += DaysIn(out->year, m);
  out->day_of_year = doy;
  return true;
}

template <typename Field>
double DatePart(double seconds, Field field) {
  Civil c{};
  if (!ToCivil(seconds, &c)) return NaN();
  return static_cast<double>(field(c));
}

}  // namespace

ElementFunction LookupElementFunction(std::string_view name) {
  static constexpr std::pair<std::string_view, ElementFunction> kTable[] = {
      {"abs", Abs},
      {"acos", Acos},
      {"acosh", Acosh},
      {"asin", Asin},
      {"asinh", Asinh},
      {"atan", Atan},
      {"atanh", Atanh},
      {"ceil", Ceil},
      {"cos", Cos},
      {"cosh", Cosh},
      {"day_of_month", DayOfMonth},
      {"day_of_week", DayOfWeek},
      {"day_of_year", DayOfYear},
      {"days_in_month", DaysInMonth},
      {"deg", Deg},
      {"exp", Exp},
      {"floor", Floor},
      {"hour", Hour},
      {"ln", Ln},
      {"log10", Log10},
      {"log2", Log2},
      {"minute", Minute},
      {"month", Month},
      {"rad", Rad},
      {"round", RoundToInteger},
      {"sgn", Sgn},
      {"sin", Sin},
      {"sinh", Sinh},
      {"sqrt", Sqrt},
      {"tan", Tan},
      {"tanh", Tanh},
      {"year", Year},
  };
  for (const auto& [n, f] : kTable) {
    if (n == name) return f;
  }
  return nullptr;
}

double Round(double v, double to_nearest) {
  // Multiplying by the inverse causes fewer accuracy surprises than dividing (Prometheus' reasoning).
  const double inverse = 1.0 / to_nearest;
  return std::floor(v * inverse + 0.5) / inverse;
}

double GoMax(double a, double b) {
  if ((std::isinf(a) && a > 0) || (std::isinf(b) && b > 0)) return std::numeric_limits<double>::infinity();
  if (std::isnan(a) || std::isnan(b)) return NaN();
  if (a == 0 && a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

double GoMin(double a, double b) {
  if ((std::isinf(a) && a < 0) || (std::isinf(b) && b < 0)) return -std::numeric_limits<double>::infinity();
  if (std::isnan(a) || std::isnan(b)) return NaN();
  if (a == 0 && a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

std::optional<double> Clamp(double v, double min, double max) {
  if (max < min) return std::nullopt;
  return GoMax(min, GoMin(max, v));
}

double DayOfMonth(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.day; });
}
double DayOfWeek(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.weekday; });
}
double DayOfYear(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.day_of_year; });
}
double DaysInMonth(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return DaysIn(c.year, c.month); });
}
double Hour(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.hour; });
}
double Minute(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.minute; });
}
double Month(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.month; });
}
double Year(double seconds) {
  return DatePart(seconds, [](const Civil& c) { return c.year; });
}

}  // namespace vigil::query::functions
