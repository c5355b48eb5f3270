// Internal to the template library: the values and functions of the Go-template subset (template.h).
#ifndef VIGIL_QUERY_LOGQL_TEMPLATE_FUNCTIONS_H_
#define VIGIL_QUERY_LOGQL_TEMPLATE_FUNCTIONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace vigil::logql::template_internal {

enum class Fn : uint8_t {
  kToUpper,
  kToLower,
  kTitle,
  kReplaceGo,
  kReplaceSprig,
  kTrim,
  kTrimLeft,
  kTrimRight,
  kTrimSpace,
  kTrimPrefixGo,
  kTrimSuffixGo,
  kTrimAll,
  kTrimPrefixSprig,
  kTrimSuffixSprig,
  kDefault,
  kContains,
  kHasPrefix,
  kHasSuffix,
  kRepeat,
  kTrunc,
  kSubstr,
  kAlignLeft,
  kAlignRight,
  kInt,
  kFloat64,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kLen,
  kPrintf,
  kPrint,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kNot,
  kAnd,
  kOr,
  kLine,
  kTimestamp,
};

struct FnInfo {
  std::string_view name;
  Fn fn;
  int min_args;
  int max_args;  // -1: variadic
};

// The function named `name`, or null.
const FnInfo* FindFn(std::string_view name);

struct Value {
  enum class Kind : uint8_t { kString, kInt, kFloat, kBool, kTime };
  Kind kind = Kind::kString;
  std::string s;
  int64_t i = 0;
  double f = 0;
  bool b = false;

  static Value Str(std::string v) {
    Value x;
    x.s = std::move(v);
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Float(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Time(int64_t ns) {
    Value x;
    x.kind = Kind::kTime;
    x.i = ns;
    return x;
  }
};

// Go's rendering of a value ("%v").
std::string ToStr(const Value& v);

// Go template truthiness: empty strings, zero numbers and false are false.
bool Truthy(const Value& v);

// Calls f with arguments a (a piped value last); `line` and `ts_ns` serve __line__ and __timestamp__.
absl::StatusOr<Value> CallFunction(const FnInfo& f, std::vector<Value>& a, std::string_view line, int64_t ts_ns);

}  // namespace vigil::logql::template_internal

#endif  // VIGIL_QUERY_LOGQL_TEMPLATE_FUNCTIONS_H_
