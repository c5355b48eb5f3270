#include "query/logql/lexer.h"

#include <vector>

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

std::vector<Tok> Types(std::string_view q) {
  Lexer lex(q);
  std::vector<Tok> out;
  for (Token t = lex.Next(); t.type != Tok::kEof; t = lex.Next()) {
    out.push_back(t.type);
    if (t.type == Tok::kError) break;
  }
  return out;
}

TEST(LexerTest, FunctionsNeedParens) {
  EXPECT_EQ(Types("rate(x)"), (std::vector<Tok>{Tok::kRate, Tok::kOpenParen, Tok::kIdentifier, Tok::kCloseParen}));
  EXPECT_EQ(Types("rate"), std::vector<Tok>{Tok::kIdentifier});
  EXPECT_EQ(Types("sum by (a) ("), (std::vector<Tok>{Tok::kSum, Tok::kBy, Tok::kOpenParen, Tok::kIdentifier,
                                                     Tok::kCloseParen, Tok::kOpenParen}));
  EXPECT_EQ(Types("SUM WITHOUT(a)")[0], Tok::kSum);
  EXPECT_EQ(Types("JSON")[0], Tok::kJson);
}

TEST(LexerTest, DurationsBytesNumbersFlags) {
  Lexer lex("5m 1.5s 250ms 1h30m 10KB 1.5GiB 42 0.5 1e3 --strict --keep-empty -5m [5m]");
  std::vector<Token> ts;
  for (Token t = lex.Next(); t.type != Tok::kEof; t = lex.Next()) ts.push_back(t);
  ASSERT_EQ(ts.size(), 13u);
  EXPECT_EQ(ts[0].duration_ns, 300'000'000'000);
  EXPECT_EQ(ts[1].duration_ns, 1'500'000'000);
  EXPECT_EQ(ts[2].duration_ns, 250'000'000);
  EXPECT_EQ(ts[3].duration_ns, 5'400'000'000'000);
  EXPECT_EQ(ts[4].type, Tok::kBytes);
  EXPECT_EQ(ts[4].bytes, 10000u);
  EXPECT_EQ(ts[5].bytes, 1610612736u);
  EXPECT_EQ(ts[6].type, Tok::kNumber);
  EXPECT_EQ(ts[8].text, "1e3");
  EXPECT_EQ(ts[9].type, Tok::kFlag);
  EXPECT_EQ(ts[10].str, "--keep-empty");
  EXPECT_EQ(ts[11].duration_ns, -300'000'000'000);
  EXPECT_EQ(ts[12].type, Tok::kRange);
}

TEST(LexerTest, StringsAndOperators) {
  Lexer lex(R"("a\"b\n" `c\d` |= |~ |> != !~ !> =~ == >= <= | = )");
  Token s = lex.Next();
  EXPECT_EQ(s.str, "a\"b\n");
  EXPECT_EQ(lex.Next().str, "c\\d");
  const Tok want[] = {Tok::kPipeExact, Tok::kPipeMatch, Tok::kPipePattern, Tok::kNeq, Tok::kNre,  Tok::kNpa,
                      Tok::kRe,        Tok::kCmpEq,     Tok::kGte,         Tok::kLte, Tok::kPipe, Tok::kEq};
  for (Tok t : want) EXPECT_EQ(lex.Next().type, t);
  EXPECT_EQ(lex.Next().type, Tok::kEof);
}

TEST(LexerTest, ErrorsAndPositions) {
  Lexer lex("\"abc");
  Token t = lex.Next();
  EXPECT_EQ(t.type, Tok::kError);
  EXPECT_EQ(t.str, "literal not terminated");
  int line = 0;
  int col = 0;
  ErrorPosition("ab\ncµd", 6, &line, &col);
  EXPECT_EQ(line, 2);
  EXPECT_EQ(col, 3);  // c, µ (two bytes), then d
  EXPECT_EQ(TokenName(Tok::kCountOverTime), "COUNT_OVER_TIME");
  EXPECT_EQ(TokenName(Tok::kCloseBrace), "}");
  EXPECT_EQ(TokenName(Tok::kJson), "json");
}

}  // namespace
}  // namespace vigil::logql
