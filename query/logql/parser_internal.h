// The recursive-descent parser behind parser.h. Private to the parser library; split over parser.cc (expressions)
// and parser_pipeline.cc (selectors, pipeline stages, label filters).
#ifndef VIGIL_QUERY_LOGQL_PARSER_INTERNAL_H_
#define VIGIL_QUERY_LOGQL_PARSER_INTERNAL_H_

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/logql/ast.h"
#include "query/logql/lexer.h"

namespace vigil::logql::internal {

// The modifiers written after a binary operator.
struct BinModifiers {
  bool return_bool = false;
  bool has_matching = false;
  bool on = false;
  std::vector<std::string> matching_labels;
  VectorMatchCardinality card = VectorMatchCardinality::kOneToOne;
  std::vector<std::string> include;
};

class Parser {
 public:
  // `validate`: apply Loki's checks made after parsing (a selective matcher in every selector).
  explicit Parser(std::string_view input, bool validate = true);

  // The whole input as one expression.
  absl::StatusOr<ExprPtr> ParseAll();

 private:
  const Token& Peek(size_t ahead = 0) const;
  Tok PeekType(size_t ahead = 0) const { return Peek(ahead).type; }
  Token Take();
  bool Accept(Tok t);
  // "syntax error: unexpected X[, expecting A or B]" at the token, or the lexer's error for an error token.
  absl::Status Unexpected(const Token& t, std::initializer_list<Tok> expecting = {}) const;
  absl::Status Expect(Tok t, std::initializer_list<Tok> expecting = {});
  absl::Status Semantic(std::string msg) const;  // positionless ("parse error : msg")

  // Expressions (parser.cc).
  absl::StatusOr<ExprPtr> ParseBinary(int min_prec);
  absl::StatusOr<ExprPtr> ParseUnary();
  absl::StatusOr<ExprPtr> ParseRangeAggregation();
  absl::StatusOr<ExprPtr> ParseVectorAggregation();
  absl::StatusOr<ExprPtr> ParseLabelReplace();
  absl::StatusOr<ExprPtr> ParseVector();
  absl::StatusOr<Grouping> ParseGrouping();
  absl::StatusOr<std::vector<std::string>> ParseLabelList();
  absl::StatusOr<ExprPtr> MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs, BinModifiers modifiers);
  absl::StatusOr<double> NumberValue(const Token& t, bool negate) const;

  // Log queries (parser_pipeline.cc).
  struct LogRange {
    std::unique_ptr<LogSelectorExpr> selector;
    std::optional<Unwrap> unwrap;
    bool has_range = false;
    int64_t range_ns = 0;
    int64_t offset_ns = 0;
  };
  absl::StatusOr<std::unique_ptr<LogSelectorExpr>> ParseSelectorAndPipeline();
  absl::StatusOr<std::vector<Matcher>> ParseMatcherList();
  absl::StatusOr<Matcher> ParseMatcher();
  absl::StatusOr<LogRange> ParseLogRange();
  absl::StatusOr<LogRange> ParseLogRangeBody(bool range_optional);
  absl::Status ParseOffset(LogRange* r);
  // Appends stages while the next tokens form one; with `unwrap` set, an `| unwrap` (and its post filters) ends
  // the pipeline, otherwise `unwrap` is a syntax error.
  absl::Status ParsePipeline(std::vector<Stage>* stages, std::optional<Unwrap>* unwrap);
  absl::Status ParseLineFilters(std::vector<Stage>* stages);
  absl::StatusOr<Stage> ParsePipeStage();
  absl::StatusOr<Unwrap> ParseUnwrap();
  absl::StatusOr<std::vector<LabelExtraction>> ParseExtractions();
  absl::StatusOr<std::vector<NamedLabelMatcher>> ParseNamedMatchers();
  absl::StatusOr<LabelFilterPtr> ParseLabelFilter(int min_prec);
  absl::StatusOr<LabelFilterPtr> ParseLabelFilterPrimary();
  bool StartsLabelFilter(size_t ahead) const;

  std::string_view input_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  bool validate_ = true;
};

// The message Loki gives when every matcher accepts the empty string.
inline constexpr std::string_view kAtLeastOneMatcherError =
    "queries require at least one regexp or equality matcher that does not have an empty-compatible value. For "
    "instance, app=~\".*\" does not meet this requirement, but app=~\".+\" will";

}  // namespace vigil::logql::internal

#endif  // VIGIL_QUERY_LOGQL_PARSER_INTERNAL_H_
