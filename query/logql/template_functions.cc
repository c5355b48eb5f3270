#include "query/logql/template_functions.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "base/strings/absl_view.h"
#include "query/logql/go_units.h"
#include "query/promql/literals.h"

namespace vigil::logql::template_internal {
namespace {

constexpr FnInfo kFns[] = {
    {"ToUpper", Fn::kToUpper, 1, 1},
    {"upper", Fn::kToUpper, 1, 1},
    {"ToLower", Fn::kToLower, 1, 1},
    {"lower", Fn::kToLower, 1, 1},
    {"title", Fn::kTitle, 1, 1},
    {"Replace", Fn::kReplaceGo, 4, 4},
    {"replace", Fn::kReplaceSprig, 3, 3},
    {"Trim", Fn::kTrim, 2, 2},
    {"TrimLeft", Fn::kTrimLeft, 2, 2},
    {"TrimRight", Fn::kTrimRight, 2, 2},
    {"TrimSpace", Fn::kTrimSpace, 1, 1},
    {"trim", Fn::kTrimSpace, 1, 1},
    {"TrimPrefix", Fn::kTrimPrefixGo, 2, 2},
    {"TrimSuffix", Fn::kTrimSuffixGo, 2, 2},
    {"trimAll", Fn::kTrimAll, 2, 2},
    {"trimPrefix", Fn::kTrimPrefixSprig, 2, 2},
    {"trimSuffix", Fn::kTrimSuffixSprig, 2, 2},
    {"default", Fn::kDefault, 1, 2},
    {"contains", Fn::kContains, 2, 2},
    {"hasPrefix", Fn::kHasPrefix, 2, 2},
    {"hasSuffix", Fn::kHasSuffix, 2, 2},
    {"repeat", Fn::kRepeat, 2, 2},
    {"trunc", Fn::kTrunc, 2, 2},
    {"substr", Fn::kSubstr, 3, 3},
    {"alignLeft", Fn::kAlignLeft, 2, 2},
    {"alignRight", Fn::kAlignRight, 2, 2},
    {"int", Fn::kInt, 1, 1},
    {"float64", Fn::kFloat64, 1, 1},
    {"add", Fn::kAdd, 2, 2},
    {"sub", Fn::kSub, 2, 2},
    {"mul", Fn::kMul, 2, 2},
    {"div", Fn::kDiv, 2, 2},
    {"mod", Fn::kMod, 2, 2},
    {"len", Fn::kLen, 1, 1},
    {"printf", Fn::kPrintf, 1, -1},
    {"print", Fn::kPrint, 0, -1},
    {"eq", Fn::kEq, 2, -1},
    {"ne", Fn::kNe, 2, 2},
    {"lt", Fn::kLt, 2, 2},
    {"le", Fn::kLe, 2, 2},
    {"gt", Fn::kGt, 2, 2},
    {"ge", Fn::kGe, 2, 2},
    {"not", Fn::kNot, 1, 1},
    {"and", Fn::kAnd, 1, -1},
    {"or", Fn::kOr, 1, -1},
    {"__line__", Fn::kLine, 0, 0},
    {"__timestamp__", Fn::kTimestamp, 0, 0},
};

// Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC".
std::string FormatTime(int64_t ns) {
  int64_t secs = ns / 1000000000;
  int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  const time_t t = static_cast<time_t>(secs);
  struct tm tm_utc {};
  gmtime_r(&t, &tm_utc);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm_utc);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof(f), ".%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  out += " +0000 UTC";
  return out;
}

std::string ToStrImpl(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kString:
      return v.s;
    case Value::Kind::kInt:
      return std::to_string(v.i);
    case Value::Kind::kFloat:
      return FormatGoFloat(v.f);
    case Value::Kind::kBool:
      return v.b ? "true" : "false";
    case Value::Kind::kTime:
      return FormatTime(v.i);
  }
  return "";
}

std::string_view KindName(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kInt:
      return "int";
    case Value::Kind::kFloat:
      return "float64";
    case Value::Kind::kBool:
      return "bool";
    case Value::Kind::kTime:
      return "time.Time";
  }
  return "?";
}

bool TruthyImpl(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kString:
      return !v.s.empty();
    case Value::Kind::kInt:
      return v.i != 0;
    case Value::Kind::kFloat:
      return v.f != 0;
    case Value::Kind::kBool:
      return v.b;
    case Value::Kind::kTime:
      return true;
  }
  return false;
}

// sprig's cast.ToInt-like leniency: numbers and numeric strings convert, anything else is 0.
int64_t ToInt(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kInt:
      return v.i;
    case Value::Kind::kFloat:
      return static_cast<int64_t>(v.f);
    case Value::Kind::kBool:
      return v.b ? 1 : 0;
    case Value::Kind::kString: {
      int64_t i = 0;
      if (absl::SimpleAtoi(AV(v.s), &i)) return i;
      double d = 0;
      if (absl::SimpleAtod(AV(v.s), &d)) return static_cast<int64_t>(d);
      return 0;
    }
    case Value::Kind::kTime:
      return v.i;
  }
  return 0;
}

double ToFloat(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kInt:
      return static_cast<double>(v.i);
    case Value::Kind::kFloat:
      return v.f;
    case Value::Kind::kString: {
      double d = 0;
      return absl::SimpleAtod(AV(v.s), &d) ? d : 0;
    }
    default:
      return static_cast<double>(ToInt(v));
  }
}

// Characters as code points for the rune-based functions (trunc, substr, align*).
std::vector<std::string_view> Runes(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i + 1;
    while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string JoinRunes(const std::vector<std::string_view>& r, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < r.size(); ++i) out.append(r[i]);
  return out;
}

std::string_view TrimCutset(std::string_view s, std::string_view cutset, bool left, bool right) {
  while (left && !s.empty() && cutset.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (right && !s.empty() && cutset.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

// Go's fmt for the common verbs: %s %v %d %f %g %e %q %x %t %%, with flags, width and precision.
std::string Printf(std::string_view format, const std::vector<Value>& args, size_t first) {
  std::string out;
  size_t arg = first;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out.push_back(format[i]);
      continue;
    }
    size_t j = i + 1;
    std::string spec = "%";
    while (j < format.size() && std::string_view("-+ #0").find(format[j]) != std::string_view::npos)
      spec += format[j++];
    while (j < format.size() && absl::ascii_isdigit(static_cast<unsigned char>(format[j]))) spec += format[j++];
    if (j < format.size() && format[j] == '.') {
      spec += format[j++];
      while (j < format.size() && absl::ascii_isdigit(static_cast<unsigned char>(format[j]))) spec += format[j++];
    }
    if (j >= format.size()) {
      out += "%!(NOVERB)";
      break;
    }
    const char verb = format[j];
    i = j;
    if (verb == '%') {
      out.push_back('%');
      continue;
    }
    if (arg >= args.size()) {
      absl::StrAppend(&out, "%!", std::string(1, verb), "(MISSING)");
      continue;
    }
    const Value& v = args[arg++];
    char buf[512];
    switch (verb) {
      case 'd':
      case 'x':
      case 'X':
      case 'o':
        if (v.kind != Value::Kind::kInt) {
          absl::StrAppend(&out, "%!", std::string(1, verb), "(", AV(KindName(v)), "=", ToStrImpl(v), ")");
        } else {
          std::snprintf(buf, sizeof(buf), (spec + "ll" + verb).c_str(), static_cast<long long>(v.i));
          out += buf;
        }
        break;
      case 'f':
      case 'F':
      case 'g':
      case 'e':
      case 'E':
      case 'G':
        if (v.kind != Value::Kind::kFloat && v.kind != Value::Kind::kInt) {
          absl::StrAppend(&out, "%!", std::string(1, verb), "(", AV(KindName(v)), "=", ToStrImpl(v), ")");
        } else {
          std::snprintf(buf, sizeof(buf), (spec + verb).c_str(), ToFloat(v));
          out += buf;
        }
        break;
      case 'q':
        out += promql::QuoteString(ToStrImpl(v));
        break;
      case 's':
      case 'v':
      case 't':
      default: {
        const std::string s = ToStrImpl(v);
        std::snprintf(buf, sizeof(buf), (spec + "s").c_str(), s.c_str());
        out += s.size() + 64 < sizeof(buf) ? std::string(buf) : s;
        break;
      }
    }
  }
  if (arg < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = arg; k < args.size(); ++k) {
      if (k > arg) out += ", ";
      absl::StrAppend(&out, AV(KindName(args[k])), "=", ToStrImpl(args[k]));
    }
    out += ")";
  }
  return out;
}

int Compare(const Value& a, const Value& b) {
  if (a.kind == Value::Kind::kString && b.kind == Value::Kind::kString) return a.s.compare(b.s);
  const double x = ToFloat(a);
  const double y = ToFloat(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

}  // namespace

const FnInfo* FindFn(std::string_view name) {
  for (const FnInfo& f : kFns) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// A template value: Go's dynamic values reduced to what these functions produce.

std::string ToStr(const Value& v) { return ToStrImpl(v); }
bool Truthy(const Value& v) { return TruthyImpl(v); }

absl::StatusOr<Value> CallFunction(const FnInfo& f, std::vector<Value>& a, std::string_view line, int64_t ts_ns) {
  const int n = static_cast<int>(a.size());
  if (n < f.min_args || (f.max_args >= 0 && n > f.max_args)) {
    return absl::InvalidArgumentError(
        absl::StrCat("wrong number of args for ", AV(f.name), ": want ", f.min_args, " got ", n));
  }
  const auto S = [&](int i) { return ToStr(a[i]); };
  switch (f.fn) {
    case Fn::kToUpper:
      return Value::Str(absl::AsciiStrToUpper(S(0)));
    case Fn::kToLower:
      return Value::Str(absl::AsciiStrToLower(S(0)));
    case Fn::kTitle: {
      std::string s = S(0);
      bool start = true;
      for (char& c : s) {
        if (start && absl::ascii_isalpha(static_cast<unsigned char>(c))) c = absl::ascii_toupper(c);
        start = absl::ascii_isspace(static_cast<unsigned char>(c));
      }
      return Value::Str(std::move(s));
    }
    case Fn::kReplaceGo: {
      const std::string s = S(0), from = S(1), to = S(2);
      int64_t count = ToInt(a[3]);
      if (count < 0) return Value::Str(absl::StrReplaceAll(s, {{from, to}}));
      std::string out;
      size_t pos = 0;
      while (count-- > 0 && !from.empty()) {
        const size_t at = s.find(from, pos);
        if (at == std::string::npos) break;
        out.append(s, pos, at - pos).append(to);
        pos = at + from.size();
      }
      out.append(s, pos);
      return Value::Str(std::move(out));
    }
    case Fn::kReplaceSprig:
      return Value::Str(S(1).empty() && S(0).empty() ? S(2) : absl::StrReplaceAll(S(2), {{S(0), S(1)}}));
    case Fn::kTrim:
      return Value::Str(std::string(TrimCutset(S(0), S(1), true, true)));
    case Fn::kTrimLeft:
      return Value::Str(std::string(TrimCutset(S(0), S(1), true, false)));
    case Fn::kTrimRight:
      return Value::Str(std::string(TrimCutset(S(0), S(1), false, true)));
    case Fn::kTrimSpace:
      return Value::Str(std::string(absl::StripAsciiWhitespace(S(0))));
    case Fn::kTrimAll:
      return Value::Str(std::string(TrimCutset(S(1), S(0), true, true)));
    case Fn::kTrimPrefixGo: {
      return Value::Str(std::string(absl::StripPrefix(S(0), S(1))));
    }
    case Fn::kTrimSuffixGo:
      return Value::Str(std::string(absl::StripSuffix(S(0), S(1))));
    case Fn::kTrimPrefixSprig:
      return Value::Str(std::string(absl::StripPrefix(S(1), S(0))));
    case Fn::kTrimSuffixSprig:
      return Value::Str(std::string(absl::StripSuffix(S(1), S(0))));
    case Fn::kDefault:
      if (n == 1 || !Truthy(a[1])) return a[0];
      return a[1];
    case Fn::kContains:
      return Value::Bool(S(1).find(S(0)) != std::string::npos);
    case Fn::kHasPrefix:
      return Value::Bool(absl::StartsWith(S(1), S(0)));
    case Fn::kHasSuffix:
      return Value::Bool(absl::EndsWith(S(1), S(0)));
    case Fn::kRepeat: {
      const int64_t count = std::min<int64_t>(ToInt(a[0]), 10000);
      std::string out;
      for (int64_t i = 0; i < count; ++i) out += S(1);
      return Value::Str(std::move(out));
    }
    case Fn::kTrunc: {
      const int64_t c = ToInt(a[0]);
      const std::string src = S(1);
      const std::vector<std::string_view> r = Runes(src);
      const int64_t l = static_cast<int64_t>(r.size());
      if (c < 0 && l + c > 0) return Value::Str(JoinRunes(r, static_cast<size_t>(l + c), r.size()));
      if (c >= 0 && l > c) return Value::Str(JoinRunes(r, 0, static_cast<size_t>(c)));
      return Value::Str(src);
    }
    case Fn::kSubstr: {
      int64_t start = ToInt(a[0]);
      int64_t end = ToInt(a[1]);
      const std::string src = S(2);
      const std::vector<std::string_view> r = Runes(src);
      const int64_t l = static_cast<int64_t>(r.size());
      end = std::min(end, l);
      start = std::min(start, l);
      if (start < 0) return Value::Str(JoinRunes(r, 0, static_cast<size_t>(std::max<int64_t>(end, 0))));
      if (end < 0 || end > l) return Value::Str(JoinRunes(r, static_cast<size_t>(start), r.size()));
      if (start > end) return Value::Str("");
      return Value::Str(JoinRunes(r, static_cast<size_t>(start), static_cast<size_t>(end)));
    }
    case Fn::kAlignLeft:
    case Fn::kAlignRight: {
      const int64_t count = std::min<int64_t>(ToInt(a[0]), 10000);
      const std::string src = S(1);
      const std::vector<std::string_view> r = Runes(src);
      const int64_t l = static_cast<int64_t>(r.size());
      if (count < 0 || count == l) return Value::Str(src);
      if (count > l) {
        const std::string pad(static_cast<size_t>(count - l), ' ');
        return Value::Str(f.fn == Fn::kAlignLeft ? src + pad : pad + src);
      }
      return Value::Str(f.fn == Fn::kAlignLeft ? JoinRunes(r, 0, static_cast<size_t>(count))
                                               : JoinRunes(r, static_cast<size_t>(l - count), r.size()));
    }
    case Fn::kInt:
      return Value::Int(ToInt(a[0]));
    case Fn::kFloat64:
      return Value::Float(ToFloat(a[0]));
    case Fn::kAdd:
      return Value::Int(ToInt(a[0]) + ToInt(a[1]));
    case Fn::kSub:
      return Value::Int(ToInt(a[0]) - ToInt(a[1]));
    case Fn::kMul:
      return Value::Int(ToInt(a[0]) * ToInt(a[1]));
    case Fn::kDiv:
    case Fn::kMod: {
      const int64_t d = ToInt(a[1]);
      if (d == 0)
        return absl::InvalidArgumentError(absl::StrCat("error calling ", AV(f.name), ": integer divide by zero"));
      return Value::Int(f.fn == Fn::kDiv ? ToInt(a[0]) / d : ToInt(a[0]) % d);
    }
    case Fn::kLen:
      if (a[0].kind != Value::Kind::kString) {
        return absl::InvalidArgumentError(absl::StrCat("error calling len: len of type ", AV(KindName(a[0]))));
      }
      return Value::Int(static_cast<int64_t>(a[0].s.size()));
    case Fn::kPrintf:
      return Value::Str(Printf(S(0), a, 1));
    case Fn::kPrint: {
      std::string out;
      for (int i = 0; i < n; ++i) {
        // Go's fmt.Sprint adds spaces between operands when neither is a string.
        if (i > 0 && a[i].kind != Value::Kind::kString && a[i - 1].kind != Value::Kind::kString) out += ' ';
        out += S(i);
      }
      return Value::Str(std::move(out));
    }
    case Fn::kEq:
      for (int i = 1; i < n; ++i) {
        if (Compare(a[0], a[i]) == 0) return Value::Bool(true);
      }
      return Value::Bool(false);
    case Fn::kNe:
      return Value::Bool(Compare(a[0], a[1]) != 0);
    case Fn::kLt:
      return Value::Bool(Compare(a[0], a[1]) < 0);
    case Fn::kLe:
      return Value::Bool(Compare(a[0], a[1]) <= 0);
    case Fn::kGt:
      return Value::Bool(Compare(a[0], a[1]) > 0);
    case Fn::kGe:
      return Value::Bool(Compare(a[0], a[1]) >= 0);
    case Fn::kNot:
      return Value::Bool(!Truthy(a[0]));
    case Fn::kAnd:
      for (int i = 0; i < n; ++i) {
        if (!Truthy(a[i])) return a[i];
      }
      return a[n - 1];
    case Fn::kOr:
      for (int i = 0; i < n; ++i) {
        if (Truthy(a[i])) return a[i];
      }
      return a[n - 1];
    case Fn::kLine:
      return Value::Str(std::string(line));
    case Fn::kTimestamp:
      return Value::Time(ts_ns);
  }
  return Value();
}

}  // namespace vigil::logql::template_internal
