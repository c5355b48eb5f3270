#include "query/logql/template.h"

#include "gtest/gtest.h"

namespace vigil::logql {
namespace {

std::string Exec(std::string_view tmpl, const Labels& ls = {{"a", "Hello"}, {"n", "42"}, {"s", "  pad  "}}) {
  absl::StatusOr<Template> t = Template::Parse("line", tmpl);
  if (!t.ok()) return "PARSE: " + std::string(t.status().message());
  LineLabels labels;
  labels.Reset(&ls);
  std::string out;
  absl::Status s = t->Execute(labels, "the line", 0, &out);
  if (!s.ok()) return "EXEC: " + std::string(s.message());
  return out;
}

TEST(TemplateTest, Fields) {
  EXPECT_EQ(Exec("{{.a}} {{ .n }} [{{.missing}}]"), "Hello 42 []");
  EXPECT_EQ(Exec("x {{- .a -}} y"), "xHelloy");
  EXPECT_EQ(Exec("{{/* c */}}z"), "z");
  EXPECT_EQ(Template::Parse("line", "{{.a}}")->simple_field(), "a");
}

TEST(TemplateTest, Functions) {
  EXPECT_EQ(Exec("{{ .a | ToUpper }} {{ lower .a }} {{ upper .a }}"), "HELLO hello HELLO");
  EXPECT_EQ(Exec("[{{ trim .s }}] [{{ TrimSpace .s }}]"), "[pad] [pad]");
  EXPECT_EQ(Exec("{{ TrimPrefix .a \"He\" }} {{ trimPrefix \"He\" .a }} {{ .a | trimSuffix \"lo\" }}"), "llo llo Hel");
  EXPECT_EQ(Exec("{{ replace \"l\" \"L\" .a }} {{ Replace .a \"l\" \"L\" 1 }}"), "HeLLo HeLlo");
  EXPECT_EQ(Exec("{{ default \"none\" .missing }} {{ .a | default \"none\" }}"), "none Hello");
  EXPECT_EQ(Exec("{{ printf \"%s-%d-%v-%5s|%q\" .a 7 .n \"x\" .a }}"), "Hello-7-42-    x|\"Hello\"");
  EXPECT_EQ(Exec("{{ len .a }} {{ __line__ }} {{ add 1 .n }}"), "5 the line 43");
  EXPECT_EQ(Exec("{{ if eq .n \"42\" }}yes{{ else if .a }}maybe{{ else }}no{{ end }}"), "yes");
  EXPECT_EQ(Exec("{{ if .missing }}yes{{ else if .a }}maybe{{ else }}no{{ end }}"), "maybe");
  EXPECT_EQ(Exec("{{ .a | trunc 2 }} {{ substr 1 3 .a }} {{ alignRight 7 .a }}"), "He el   Hello");
}

TEST(TemplateTest, Errors) {
  EXPECT_EQ(Exec("{{ nope .a }}"), "PARSE: template: line:1: function \"nope\" not defined");
  EXPECT_EQ(Exec("{{ .a "), "PARSE: template: line:1: unclosed action");
  EXPECT_EQ(Exec("{{ if .a }}x"), "PARSE: template: line:1: unexpected EOF");
  EXPECT_EQ(Exec("{{ ToUpper }}"), "EXEC: wrong number of args for ToUpper: want 1 got 0");
  EXPECT_EQ(Exec("{{ .a .n }}"), "PARSE: template: line:1: can't give argument to non-function");
}

}  // namespace
}  // namespace vigil::logql
