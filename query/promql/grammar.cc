#include "query/promql/grammar.h"

#include "model/labels.h"

namespace vigil::promql {

// Prometheus' binary operator precedence (higher binds tighter); 0 for tokens that are not binary operators.
int Precedence(TokenType t) {
  switch (t) {
    case TokenType::kLor:
      return 1;
    case TokenType::kLand:
    case TokenType::kLunless:
      return 2;
    case TokenType::kEqlc:
    case TokenType::kNeq:
    case TokenType::kLss:
    case TokenType::kLte:
    case TokenType::kGtr:
    case TokenType::kGte:
    case TokenType::kTrimUpper:
    case TokenType::kTrimLower:
      return 3;
    case TokenType::kAdd:
    case TokenType::kSub:
      return 4;
    case TokenType::kMul:
    case TokenType::kDiv:
    case TokenType::kMod:
    case TokenType::kAtan2:
      return 5;
    case TokenType::kPow:
      return 6;
    default:
      return 0;
  }
}

BinaryOp ToBinaryOp(TokenType t) {
  switch (t) {
    case TokenType::kAdd:
      return BinaryOp::kAdd;
    case TokenType::kSub:
      return BinaryOp::kSub;
    case TokenType::kMul:
      return BinaryOp::kMul;
    case TokenType::kDiv:
      return BinaryOp::kDiv;
    case TokenType::kMod:
      return BinaryOp::kMod;
    case TokenType::kPow:
      return BinaryOp::kPow;
    case TokenType::kAtan2:
      return BinaryOp::kAtan2;
    case TokenType::kEqlc:
      return BinaryOp::kEql;
    case TokenType::kNeq:
      return BinaryOp::kNeq;
    case TokenType::kGtr:
      return BinaryOp::kGtr;
    case TokenType::kLss:
      return BinaryOp::kLss;
    case TokenType::kGte:
      return BinaryOp::kGte;
    case TokenType::kLte:
      return BinaryOp::kLte;
    case TokenType::kLand:
      return BinaryOp::kAnd;
    case TokenType::kLor:
      return BinaryOp::kOr;
    case TokenType::kLunless:
      return BinaryOp::kUnless;
    case TokenType::kTrimUpper:
      return BinaryOp::kTrimUpper;
    case TokenType::kTrimLower:
      return BinaryOp::kTrimLower;
    default:
      return BinaryOp::kAdd;
  }
}

AggregateOp ToAggregateOp(TokenType t) {
  switch (t) {
    case TokenType::kAvg:
      return AggregateOp::kAvg;
    case TokenType::kBottomk:
      return AggregateOp::kBottomk;
    case TokenType::kCount:
      return AggregateOp::kCount;
    case TokenType::kCountValues:
      return AggregateOp::kCountValues;
    case TokenType::kGroup:
      return AggregateOp::kGroup;
    case TokenType::kMax:
      return AggregateOp::kMax;
    case TokenType::kMin:
      return AggregateOp::kMin;
    case TokenType::kQuantile:
      return AggregateOp::kQuantile;
    case TokenType::kStddev:
      return AggregateOp::kStddev;
    case TokenType::kStdvar:
      return AggregateOp::kStdvar;
    case TokenType::kTopk:
      return AggregateOp::kTopk;
    case TokenType::kLimitk:
      return AggregateOp::kLimitk;
    case TokenType::kLimitRatio:
      return AggregateOp::kLimitRatio;
    default:
      return AggregateOp::kSum;
  }
}

bool IsPreprocessorToken(TokenType t) { return t >= TokenType::kStart && t <= TokenType::kMinOf; }

bool IsMetricIdentifier(TokenType t) {
  switch (t) {
    case TokenType::kIdentifier:
    case TokenType::kMetricIdentifier:
    case TokenType::kBy:
    case TokenType::kFill:
    case TokenType::kFillLeft:
    case TokenType::kFillRight:
    case TokenType::kLand:
    case TokenType::kLor:
    case TokenType::kLunless:
    case TokenType::kOffset:
    case TokenType::kWithout:
    case TokenType::kAnchored:
    case TokenType::kSmoothed:
      return true;
    default:
      return IsAggregatorToken(t) || IsPreprocessorToken(t);
  }
}

bool IsMaybeLabel(TokenType t) {
  return t == TokenType::kIdentifier || t == TokenType::kMetricIdentifier || IsAggregatorToken(t) ||
         IsKeywordToken(t) || IsPreprocessorToken(t) || t == TokenType::kLand || t == TokenType::kLor ||
         t == TokenType::kLunless || t == TokenType::kAtan2;
}

bool IsMatchOp(TokenType t) {
  return t == TokenType::kEql || t == TokenType::kNeq || t == TokenType::kEqlRegex || t == TokenType::kNeqRegex;
}

MatchType ToMatchType(TokenType t) {
  switch (t) {
    case TokenType::kNeq:
      return MatchType::kNotEqual;
    case TokenType::kEqlRegex:
      return MatchType::kRegexMatch;
    case TokenType::kNeqRegex:
      return MatchType::kRegexNoMatch;
    default:
      return MatchType::kEqual;
  }
}

bool IsValidUtf8LabelName(std::string_view s) { return !s.empty() && IsValidUtf8(s); }

}  // namespace vigil::promql
