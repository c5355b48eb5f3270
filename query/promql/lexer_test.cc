#include "query/promql/lexer.h"

#include <vector>

#include "gtest/gtest.h"

namespace vigil::promql {
namespace {

std::vector<TokenType> Types(std::string_view q) {
  Lexer lex(q);
  std::vector<TokenType> out;
  for (;;) {
    Token t = lex.Next();
    out.push_back(t.type);
    if (t.type == TokenType::kEof || t.type == TokenType::kError) return out;
  }
}

std::string ErrorOf(std::string_view q) {
  Lexer lex(q);
  for (;;) {
    Token t = lex.Next();
    if (t.type == TokenType::kError) return std::to_string(t.pos) + ": " + t.error;
    if (t.type == TokenType::kEof) return "";
  }
}

using T = TokenType;

TEST(LexerTest, Basics) {
  EXPECT_EQ(Types("foo + 1"), (std::vector<T>{T::kIdentifier, T::kAdd, T::kNumber, T::kEof}));
  EXPECT_EQ(Types("a:b"), (std::vector<T>{T::kMetricIdentifier, T::kEof}));
  EXPECT_EQ(Types("SUM BY"), (std::vector<T>{T::kSum, T::kBy, T::kEof}));
  EXPECT_EQ(Types("Inf NaN"), (std::vector<T>{T::kNumber, T::kNumber, T::kEof}));
  EXPECT_EQ(Types("x[5m:1m]"), (std::vector<T>{T::kIdentifier, T::kLeftBracket, T::kDuration, T::kColon, T::kDuration,
                                               T::kRightBracket, T::kEof}));
  EXPECT_EQ(Types("a </ b >/ c"),
            (std::vector<T>{T::kIdentifier, T::kTrimUpper, T::kIdentifier, T::kTrimLower, T::kIdentifier, T::kEof}));
  EXPECT_EQ(Types("{by=\"x\"}"),
            (std::vector<T>{T::kLeftBrace, T::kIdentifier, T::kEql, T::kString, T::kRightBrace, T::kEof}));
  EXPECT_EQ(Types("fill + fill(1)"),
            (std::vector<T>{T::kIdentifier, T::kAdd, T::kFill, T::kLeftParen, T::kNumber, T::kRightParen, T::kEof}));
  EXPECT_EQ(Types("# comment\nfoo # more"), (std::vector<T>{T::kIdentifier, T::kEof}));
  EXPECT_EQ(Types("1h30m 500ms 0x1F 1e-3 .5"),
            (std::vector<T>{T::kDuration, T::kDuration, T::kNumber, T::kNumber, T::kNumber, T::kEof}));
}

TEST(LexerTest, Errors) {
  EXPECT_EQ(ErrorOf("."), "0: unexpected character: '.'");
  EXPECT_EQ(ErrorOf("2.5."), "0: bad number or duration syntax: \"2.5.\"");
  EXPECT_EQ(ErrorOf("0deadbeef"), "0: bad number or duration syntax: \"0de\"");
  EXPECT_EQ(ErrorOf("(1))"), "4: unexpected right parenthesis ')'");
  EXPECT_EQ(ErrorOf("((1)"), "4: unclosed left parenthesis");
  EXPECT_EQ(ErrorOf("1 !~ 1"), "2: unexpected character after '!': '~'");
  EXPECT_EQ(ErrorOf("foo{a*\"b\"}"), "5: unexpected character inside braces: '*'");
  EXPECT_EQ(ErrorOf("\"\\c\""), "0: unknown escape sequence U+0063 'c'");
  EXPECT_EQ(ErrorOf("\"\\x.\""), "0: illegal character U+002E '.' in escape sequence");
  EXPECT_EQ(ErrorOf("\"\\"), "0: escape sequence not terminated");
  EXPECT_EQ(ErrorOf("`a"), "0: unterminated raw string");
  EXPECT_EQ(ErrorOf("\"a\xff\""), "0: invalid UTF-8 rune");
  EXPECT_EQ(ErrorOf("foo[5s x 5s]"), "7: unexpected character: 'x', expected ':'");
  EXPECT_EQ(ErrorOf("foo{"), "4: unexpected end of input inside braces");
  EXPECT_EQ(ErrorOf("foo[\"5m\"]"), "4: unexpected character in duration expression: '\"'");
  EXPECT_EQ(ErrorOf("foo["), "4: unexpected end of input in duration expression");
  EXPECT_EQ(ErrorOf("]"), "0: unexpected right bracket ']'");
  EXPECT_EQ(ErrorOf("\x01"), "0: unexpected character: '\\x01'");
}

TEST(LexerTest, Describe) {
  Token t;
  t.type = TokenType::kIdentifier;
  t.text = "foo";
  EXPECT_EQ(DescribeToken(t), "identifier \"foo\"");
  t.type = TokenType::kString;
  t.text = "\"abcdefghijklm\"";
  EXPECT_EQ(DescribeToken(t), "string \"\\\"abcdefghi\"...");
  t.type = TokenType::kSum;
  t.text = "sum";
  EXPECT_EQ(DescribeToken(t), "<aggr:sum>");
  t.type = TokenType::kBy;
  t.text = "by";
  EXPECT_EQ(DescribeToken(t), "<by>");
  t.type = TokenType::kMul;
  t.text = "*";
  EXPECT_EQ(DescribeToken(t), "<op:*>");
  t.type = TokenType::kComma;
  t.text = ",";
  EXPECT_EQ(DescribeToken(t), "\",\"");
  t.type = TokenType::kEof;
  EXPECT_EQ(DescribeToken(t), "end of input");
}

}  // namespace
}  // namespace vigil::promql
