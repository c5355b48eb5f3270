#include "query/functions/math.h"

#include <cmath>
#include <limits>

#include "gtest/gtest.h"

namespace vigil::query::functions {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

double Call(std::string_view name, double v) {
  ElementFunction f = LookupElementFunction(name);
  EXPECT_NE(f, nullptr) << name;
  return f == nullptr ? kNaN : f(v);
}

TEST(ElementFunctionTest, Lookup) {
  for (std::string_view name :
       {"abs",         "ceil",        "floor",         "exp",   "sqrt",  "ln",    "log2", "log10", "sgn",
        "round",       "deg",         "rad",           "sin",   "cos",   "tan",   "asin", "acos",  "atan",
        "sinh",        "cosh",        "tanh",          "asinh", "acosh", "atanh", "year", "month", "day_of_month",
        "day_of_week", "day_of_year", "days_in_month", "hour",  "minute"}) {
    EXPECT_NE(LookupElementFunction(name), nullptr) << name;
  }
  EXPECT_EQ(LookupElementFunction("rate"), nullptr);
  EXPECT_EQ(LookupElementFunction(""), nullptr);
  EXPECT_EQ(LookupElementFunction("ABS"), nullptr);
}

TEST(ElementFunctionTest, Values) {
  EXPECT_EQ(Call("abs", -2.5), 2.5);
  EXPECT_FALSE(std::signbit(Call("abs", -0.0)));
  EXPECT_EQ(Call("ceil", 1.2), 2);
  EXPECT_TRUE(std::signbit(Call("ceil", -0.5)));  // -0
  EXPECT_EQ(Call("floor", -1.2), -2);
  EXPECT_EQ(Call("exp", 0), 1);
  EXPECT_EQ(Call("exp", -kInf), 0);
  EXPECT_EQ(Call("sqrt", 16), 4);
  EXPECT_TRUE(std::isnan(Call("sqrt", -1)));
  EXPECT_TRUE(std::signbit(Call("sqrt", -0.0)));
  EXPECT_EQ(Call("ln", 1), 0);
  EXPECT_EQ(Call("ln", 0), -kInf);
  EXPECT_TRUE(std::isnan(Call("ln", -1)));
  EXPECT_EQ(Call("log2", 8), 3);
  EXPECT_EQ(Call("log2", 0.25), -2);
  EXPECT_EQ(Call("log2", 0), -kInf);
  EXPECT_EQ(Call("log2", kInf), kInf);
  EXPECT_TRUE(std::isnan(Call("log2", -4)));
  EXPECT_DOUBLE_EQ(Call("log10", 1000), 3);
  EXPECT_EQ(Call("log10", 0), -kInf);
  EXPECT_EQ(Call("sgn", -3), -1);
  EXPECT_EQ(Call("sgn", 3), 1);
  EXPECT_TRUE(std::signbit(Call("sgn", -0.0)));
  EXPECT_TRUE(std::isnan(Call("sgn", kNaN)));
  EXPECT_EQ(Call("sgn", -kInf), -1);
  EXPECT_EQ(Call("round", 2.5), 3);
  EXPECT_EQ(Call("round", -2.5), -2);  // ties up
  EXPECT_TRUE(std::isnan(Call("round", kNaN)));
}

TEST(ElementFunctionTest, TrigAsTrigFunctionsTest) {
  // trig_functions.test: sin/cos/... of 10, -10, Inf, -Inf, NaN.
  EXPECT_NEAR(Call("sin", 10), -0.5440211108893699, 1e-15);
  EXPECT_NEAR(Call("cos", 10), -0.8390715290764524, 1e-15);
  EXPECT_NEAR(Call("tan", 10), 0.6483608274590866, 1e-15);
  EXPECT_NEAR(Call("asin", 0.1), 0.10016742116155977, 1e-15);
  EXPECT_NEAR(Call("acos", 0.1), 1.4706289056333368, 1e-15);
  EXPECT_NEAR(Call("atan", 10), 1.4711276743037347, 1e-15);
  EXPECT_NEAR(Call("sinh", 10), 11013.232874703393, 1e-9);
  EXPECT_NEAR(Call("cosh", 10), 11013.232920103324, 1e-9);
  EXPECT_NEAR(Call("tanh", 10), 0.9999999958776927, 1e-15);
  EXPECT_NEAR(Call("asinh", 10), 2.99822295029797, 1e-14);
  EXPECT_NEAR(Call("acosh", 10), 2.993222846126381, 1e-14);
  EXPECT_NEAR(Call("atanh", 0.1), 0.10033534773107558, 1e-15);
  EXPECT_TRUE(std::isnan(Call("sin", kInf)));
  EXPECT_TRUE(std::isnan(Call("asin", 2)));
  EXPECT_TRUE(std::isnan(Call("acosh", 0.5)));
  EXPECT_EQ(Call("atanh", 1), kInf);
  EXPECT_EQ(Call("sinh", -kInf), -kInf);
  EXPECT_EQ(Call("cosh", -kInf), kInf);
  EXPECT_EQ(Call("tanh", kInf), 1);
  EXPECT_NEAR(Call("deg", Pi()), 180, 1e-12);
  EXPECT_NEAR(Call("rad", 180), Pi(), 1e-15);
  EXPECT_EQ(Call("deg", kInf), kInf);
  EXPECT_EQ(Pi(), M_PI);
}

TEST(RoundTest, ToNearestAsAggregatorsTest) {
  EXPECT_DOUBLE_EQ(Round(2.1 + 0.0005 * 100, 0.1), 2.2);
  EXPECT_DOUBLE_EQ(Round(5.2 + 0.0005 * 100, 0.1), 5.3);
  EXPECT_DOUBLE_EQ(Round(-1 * (5.2 + 0.0005 * 100), 0.1), -5.2);
  EXPECT_DOUBLE_EQ(Round(-1 * (5.2 + 0.0005 * 200), 0.1), -5.3);
  EXPECT_EQ(Round(0.025 * 100, 5), 5);
  EXPECT_EQ(Round(0.025 * 200, 5), 5);
  EXPECT_EQ(Round(0.045 * 100, 5), 5);
  EXPECT_EQ(Round(0.045 * 200, 5), 10);
  EXPECT_TRUE(std::isnan(Round(1, 0)));  // floor(Inf) / Inf
  EXPECT_EQ(Round(kInf, 1), kInf);
}

TEST(ClampTest, GoSemantics) {
  EXPECT_EQ(*Clamp(5, 0, 3), 3);
  EXPECT_EQ(*Clamp(-5, 0, 3), 0);
  EXPECT_EQ(*Clamp(2, 0, 3), 2);
  EXPECT_FALSE(Clamp(2, 3, 0).has_value());
  EXPECT_TRUE(std::isnan(*Clamp(kNaN, 0, 3)));
  EXPECT_EQ(*Clamp(kNaN, kInf, kInf), kInf);  // +Inf beats NaN in Go's Max
  EXPECT_EQ(*Clamp(5, -kInf, 3), 3);          // clamp_max
  EXPECT_EQ(*Clamp(-5, 0, kInf), 0);          // clamp_min
  EXPECT_FALSE(std::signbit(*Clamp(-0.0, 0.0, 1)));
  EXPECT_TRUE(Clamp(1, kNaN, 2).has_value());  // NaN bounds do not compare, so the clamp runs
  EXPECT_TRUE(std::isnan(*Clamp(1, kNaN, 2)));
}

TEST(ClampTest, GoMaxMin) {
  EXPECT_EQ(GoMax(kNaN, kInf), kInf);
  EXPECT_TRUE(std::isnan(GoMax(kNaN, -kInf)));
  EXPECT_EQ(GoMin(kNaN, -kInf), -kInf);
  EXPECT_TRUE(std::isnan(GoMin(1, kNaN)));
  EXPECT_FALSE(std::signbit(GoMax(-0.0, 0.0)));
  EXPECT_TRUE(std::signbit(GoMin(0.0, -0.0)));
  EXPECT_EQ(GoMax(1, 2), 2);
  EXPECT_EQ(GoMin(1, 2), 1);
}

TEST(DateTest, AsFunctionsTest) {
  EXPECT_EQ(Year(0), 1970);
  EXPECT_EQ(Month(0), 1);
  EXPECT_EQ(DayOfMonth(0), 1);
  EXPECT_EQ(DayOfYear(0), 1);
  EXPECT_EQ(DayOfWeek(0), 4);  // Thursday
  EXPECT_EQ(Hour(0), 0);
  EXPECT_EQ(Minute(0), 0);
  EXPECT_EQ(DaysInMonth(0), 31);
  const double t = 1136239445;  // 2006-01-02T22:04:05Z, a Monday
  EXPECT_EQ(Year(t), 2006);
  EXPECT_EQ(Month(t), 1);
  EXPECT_EQ(DayOfMonth(t), 2);
  EXPECT_EQ(DayOfYear(t), 2);
  EXPECT_EQ(DayOfWeek(t), 1);
  EXPECT_EQ(Hour(t), 22);
  EXPECT_EQ(Minute(t), 4);
  EXPECT_EQ(LookupElementFunction("hour")(t), 22);
}

TEST(DateTest, LeapYearsAndNegativeTimes) {
  EXPECT_EQ(DaysInMonth(1709164800), 29);  // 2024-02-29
  EXPECT_EQ(DayOfYear(1709164800), 60);
  EXPECT_EQ(DaysInMonth(951782400), 29);   // 2000-02-29 (400-year rule)
  EXPECT_EQ(DaysInMonth(4107456000), 28);  // 2100-02-28 (100-year rule)
  EXPECT_EQ(DayOfYear(1735603200), 366);   // 2024-12-31
  EXPECT_EQ(Year(-1), 1969);               // 1969-12-31T23:59:59Z
  EXPECT_EQ(Hour(-1), 23);
  EXPECT_EQ(Minute(-1), 59);
  EXPECT_EQ(DayOfWeek(-1), 3);
  EXPECT_EQ(DayOfMonth(-1), 31);
  EXPECT_EQ(Hour(-0.5), 0);          // truncated towards zero, as Go's int64 conversion
  EXPECT_EQ(Year(-62135596800), 1);  // 0001-01-01
  EXPECT_EQ(Year(-62135596801), 0);  // the year before is year 0 (1 BC)
  EXPECT_EQ(Year(253402300799), 9999);
  EXPECT_EQ(Year(253402300800), 10000);
  EXPECT_EQ(Month(1e15), Month(1e15));  // far-out values still convert
}

TEST(DateTest, NonFiniteGivesNaN) {
  EXPECT_TRUE(std::isnan(Year(kNaN)));
  EXPECT_TRUE(std::isnan(Hour(kInf)));
  EXPECT_TRUE(std::isnan(DayOfWeek(-kInf)));
  EXPECT_TRUE(std::isnan(Month(1e19)));
}

}  // namespace
}  // namespace vigil::query::functions
