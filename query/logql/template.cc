#include "query/logql/template.h"

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
#include "query/logql/template_functions.h"
#include "query/promql/literals.h"

namespace vigil::logql {

using template_internal::CallFunction;
using template_internal::FindFn;
using template_internal::FnInfo;
using template_internal::ToStr;
using template_internal::Truthy;
using template_internal::Value;

struct TmplOperand;
struct TmplPipeline {
  std::vector<std::vector<TmplOperand>> commands;
};
struct TmplOperand {
  enum class Kind : uint8_t { kField, kLiteral, kFunc, kPipe };
  Kind kind = Kind::kLiteral;
  std::string field;
  Value literal;
  const FnInfo* fn = nullptr;
  std::shared_ptr<TmplPipeline> sub;
};

struct Template::Node {
  enum class Kind : uint8_t { kText, kAction, kIf };
  Kind kind = Kind::kText;
  std::string text;
  TmplPipeline pipe;
  std::vector<Node> then_nodes;
  std::vector<Node> else_nodes;
};

namespace {

struct Ctx {
  const LineLabels& labels;
  std::string_view line;
  int64_t ts;
};

absl::StatusOr<Value> EvalPipeline(const TmplPipeline& p, const Ctx& ctx);

absl::StatusOr<Value> EvalOperand(const TmplOperand& o, const Ctx& ctx) {
  switch (o.kind) {
    case TmplOperand::Kind::kField:
      return Value::Str(std::string(ctx.labels.GetOrEmpty(o.field)));
    case TmplOperand::Kind::kLiteral:
      return o.literal;
    case TmplOperand::Kind::kPipe:
      return EvalPipeline(*o.sub, ctx);
    case TmplOperand::Kind::kFunc:
      break;
  }
  return absl::InternalError("function used as a value");
}

absl::StatusOr<Value> EvalPipeline(const TmplPipeline& p, const Ctx& ctx) {
  std::optional<Value> prev;
  for (const std::vector<TmplOperand>& cmd : p.commands) {
    std::vector<Value> args;
    const TmplOperand& head = cmd[0];
    for (size_t i = head.kind == TmplOperand::Kind::kFunc ? 1 : 0; i < cmd.size(); ++i) {
      absl::StatusOr<Value> v = EvalOperand(cmd[i], ctx);
      if (!v.ok()) return v.status();
      args.push_back(*std::move(v));
    }
    if (prev) args.push_back(*std::move(prev));
    if (head.kind != TmplOperand::Kind::kFunc) {
      if (args.size() != 1) return absl::InvalidArgumentError("can't give argument to non-function");
      prev = std::move(args[0]);
      continue;
    }
    absl::StatusOr<Value> r = CallFunction(*head.fn, args, ctx.line, ctx.ts);
    if (!r.ok()) return r.status();
    prev = *std::move(r);
  }
  return prev ? *std::move(prev) : Value();
}

absl::Status ExecNodes(const std::vector<Template::Node>& nodes, const Ctx& ctx, std::string* out) {
  for (const Template::Node& n : nodes) {
    switch (n.kind) {
      case Template::Node::Kind::kText:
        out->append(n.text);
        break;
      case Template::Node::Kind::kAction: {
        absl::StatusOr<Value> v = EvalPipeline(n.pipe, ctx);
        if (!v.ok()) return v.status();
        out->append(ToStr(*v));
        break;
      }
      case Template::Node::Kind::kIf: {
        absl::StatusOr<Value> v = EvalPipeline(n.pipe, ctx);
        if (!v.ok()) return v.status();
        if (absl::Status s = ExecNodes(Truthy(*v) ? n.then_nodes : n.else_nodes, ctx, out); !s.ok()) return s;
        break;
      }
    }
  }
  return absl::OkStatus();
}

// Template parsing: actions are tokenized and parsed into pipelines; if/else/end build nested node lists.
class TParser {
 public:
  TParser(std::string_view name, std::string_view text) : name_(name), text_(text) {}

  absl::Status Parse(std::vector<Template::Node>* out) {
    std::vector<std::vector<Template::Node>*> stack = {out};
    std::vector<Template::Node*> ifs;
    std::vector<bool> in_else;
    size_t i = 0;
    bool trim_next_text = false;
    while (i <= text_.size()) {
      const size_t open = text_.find("{{", i);
      std::string_view txt = text_.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i);
      if (trim_next_text) txt = SV(absl::StripLeadingAsciiWhitespace(AV(txt)));
      bool trim_left = false;
      if (open != std::string_view::npos && open + 2 < text_.size() && text_[open + 2] == '-' &&
          open + 3 < text_.size() && absl::ascii_isspace(static_cast<unsigned char>(text_[open + 3]))) {
        trim_left = true;
        txt = SV(absl::StripTrailingAsciiWhitespace(AV(txt)));
      }
      if (!txt.empty()) {
        Template::Node n;
        n.text = std::string(txt);
        stack.back()->push_back(std::move(n));
      }
      if (open == std::string_view::npos) break;
      size_t start = open + 2 + (trim_left ? 2 : 0);
      const size_t close = FindClose(start);
      if (close == std::string_view::npos) return Error("unclosed action");
      std::string_view body = text_.substr(start, close - start);
      trim_next_text = false;
      if (body.size() >= 2 && body.back() == '-' &&
          absl::ascii_isspace(static_cast<unsigned char>(body[body.size() - 2]))) {
        trim_next_text = true;
        body.remove_suffix(1);
      }
      i = close + 2;
      body = SV(absl::StripAsciiWhitespace(AV(body)));
      if (body.substr(0, 2) == "/*") {
        if (body.size() < 4 || body.substr(body.size() - 2) != "*/") return Error("unclosed comment");
        continue;
      }
      if (body.empty()) return Error("missing value for command");
      std::string_view word = body.substr(0, body.find_first_of(" \t\n\r"));
      if (word == "if") {
        Template::Node n;
        n.kind = Template::Node::Kind::kIf;
        if (absl::Status s = ParsePipeline(body.substr(2), &n.pipe); !s.ok()) return s;
        stack.back()->push_back(std::move(n));
        Template::Node* node = &stack.back()->back();
        ifs.push_back(node);
        in_else.push_back(false);
        stack.push_back(&node->then_nodes);
      } else if (word == "else") {
        if (ifs.empty() || in_else.back()) return Error("unexpected {{else}}");
        stack.pop_back();
        in_else.back() = true;
        std::string_view rest = SV(absl::StripAsciiWhitespace(AV(body.substr(4))));
        if (rest.substr(0, 3) == "if " || rest == "if") {
          // {{else if x}}: a nested if inside the else branch, closed by the same {{end}}.
          Template::Node n;
          n.kind = Template::Node::Kind::kIf;
          if (absl::Status s = ParsePipeline(rest.substr(2), &n.pipe); !s.ok()) return s;
          ifs.back()->else_nodes.push_back(std::move(n));
          Template::Node* nested = &ifs.back()->else_nodes.back();
          ifs.back() = nested;
          in_else.back() = false;
          stack.push_back(&nested->then_nodes);
        } else {
          stack.push_back(&ifs.back()->else_nodes);
        }
      } else if (word == "end") {
        if (ifs.empty()) return Error("unexpected {{end}}");
        stack.pop_back();
        ifs.pop_back();
        in_else.pop_back();
      } else if (word == "range" || word == "with" || word == "define" || word == "template" || word == "block") {
        return Error(absl::StrCat("unsupported action \"", AV(word), "\""));
      } else {
        Template::Node n;
        n.kind = Template::Node::Kind::kAction;
        if (absl::Status s = ParsePipeline(body, &n.pipe); !s.ok()) return s;
        stack.back()->push_back(std::move(n));
      }
    }
    if (!ifs.empty()) return Error("unexpected EOF");
    return absl::OkStatus();
  }

 private:
  absl::Status Error(std::string_view msg) const {
    return absl::InvalidArgumentError(absl::StrCat("template: ", AV(name_), ":1: ", AV(msg)));
  }

  // The "}}" closing the action that starts at `from`, skipping quoted strings.
  size_t FindClose(size_t from) const {
    for (size_t i = from; i + 1 < text_.size(); ++i) {
      const char c = text_[i];
      if (c == '"' || c == '`') {
        const char q = c;
        for (++i; i < text_.size() && text_[i] != q; ++i) {
          if (q == '"' && text_[i] == '\\') ++i;
        }
        continue;
      }
      if (c == '}' && text_[i + 1] == '}') return i;
    }
    return std::string_view::npos;
  }

  // Parses `s` (the inside of an action) as a pipeline.
  absl::Status ParsePipeline(std::string_view s, TmplPipeline* out) {
    size_t i = 0;
    return ParsePipelineAt(s, &i, out, false);
  }

  absl::Status ParsePipelineAt(std::string_view s, size_t* i, TmplPipeline* out, bool in_paren) {
    std::vector<TmplOperand> cmd;
    while (true) {
      while (*i < s.size() && absl::ascii_isspace(static_cast<unsigned char>(s[*i]))) ++*i;
      if (*i >= s.size() || s[*i] == ')' || s[*i] == '|') {
        if (cmd.empty()) return Error("missing value for command");
        if (cmd[0].kind != TmplOperand::Kind::kFunc && cmd.size() > 1) {
          return Error("can't give argument to non-function");
        }
        out->commands.push_back(std::move(cmd));
        cmd.clear();
        if (*i >= s.size()) {
          if (in_paren) return Error("unclosed left paren");
          return absl::OkStatus();
        }
        if (s[*i] == ')') {
          if (!in_paren) return Error("unexpected right paren");
          ++*i;
          return absl::OkStatus();
        }
        ++*i;  // '|'
        continue;
      }
      TmplOperand o;
      const char c = s[*i];
      if (c == '(') {
        ++*i;
        o.kind = TmplOperand::Kind::kPipe;
        o.sub = std::make_shared<TmplPipeline>();
        if (absl::Status st = ParsePipelineAt(s, i, o.sub.get(), true); !st.ok()) return st;
      } else if (c == '"' || c == '`') {
        size_t j = *i + 1;
        while (j < s.size() && s[j] != c) j += (c == '"' && s[j] == '\\') ? 2 : 1;
        if (j >= s.size()) return Error("unterminated quoted string");
        absl::StatusOr<std::string> str = promql::UnquoteStringToken(s.substr(*i, j - *i + 1));
        if (!str.ok()) return Error("bad quoted string");
        o.literal = Value::Str(*std::move(str));
        *i = j + 1;
      } else if (c == '.') {
        size_t j = *i + 1;
        while (j < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        o.kind = TmplOperand::Kind::kField;
        o.field = std::string(s.substr(*i + 1, j - *i - 1));
        if (j < s.size() && s[j] == '.') return Error("nested fields are not supported");
        *i = j;
      } else if (absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') {
        size_t j = *i + 1;
        while (j < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
        const std::string num(s.substr(*i, j - *i));
        int64_t iv = 0;
        double dv = 0;
        if (absl::SimpleAtoi(num, &iv)) {
          o.literal = Value::Int(iv);
        } else if (absl::SimpleAtod(num, &dv)) {
          o.literal = Value::Float(dv);
        } else {
          return Error(absl::StrCat("bad number syntax: \"", num, "\""));
        }
        *i = j;
      } else if (absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = *i;
        while (j < s.size() && (absl::ascii_isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
        const std::string_view word = s.substr(*i, j - *i);
        *i = j;
        if (word == "true" || word == "false") {
          o.literal = Value::Bool(word == "true");
        } else {
          o.fn = FindFn(word);
          if (o.fn == nullptr) return Error(absl::StrCat("function \"", AV(word), "\" not defined"));
          o.kind = TmplOperand::Kind::kFunc;
          if (!cmd.empty()) {
            // A function as an argument is called without arguments, as Go does.
            TmplOperand call;
            call.kind = TmplOperand::Kind::kPipe;
            call.sub = std::make_shared<TmplPipeline>();
            call.sub->commands.push_back({std::move(o)});
            cmd.push_back(std::move(call));
            continue;
          }
        }
      } else {
        return Error(absl::StrCat("unexpected \"", std::string(1, c), "\" in command"));
      }
      cmd.push_back(std::move(o));
    }
  }

  std::string_view name_;
  std::string_view text_;
};

void CollectFields(const TmplPipeline& p, std::vector<std::string>* out) {
  for (const auto& cmd : p.commands) {
    for (const TmplOperand& o : cmd) {
      if (o.kind == TmplOperand::Kind::kField) out->push_back(o.field);
      if (o.sub) CollectFields(*o.sub, out);
    }
  }
}

void CollectNodeFields(const std::vector<Template::Node>& nodes, std::vector<std::string>* out) {
  for (const Template::Node& n : nodes) {
    CollectFields(n.pipe, out);
    CollectNodeFields(n.then_nodes, out);
    CollectNodeFields(n.else_nodes, out);
  }
}

}  // namespace

Template::Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

absl::StatusOr<Template> Template::Parse(std::string_view name, std::string_view text) {
  Template t;
  TParser p(name, text);
  if (absl::Status s = p.Parse(&t.nodes_); !s.ok()) return s;
  if (t.nodes_.size() == 1 && t.nodes_[0].kind == Node::Kind::kAction && t.nodes_[0].pipe.commands.size() == 1 &&
      t.nodes_[0].pipe.commands[0].size() == 1 && t.nodes_[0].pipe.commands[0][0].kind == TmplOperand::Kind::kField) {
    t.simple_field_ = t.nodes_[0].pipe.commands[0][0].field;
  }
  return t;
}

absl::Status Template::Execute(const LineLabels& labels, std::string_view line, int64_t ts_ns, std::string* out) const {
  const Ctx ctx{labels, line, ts_ns};
  return ExecNodes(nodes_, ctx, out);
}

std::vector<std::string> Template::Fields() const {
  std::vector<std::string> out;
  CollectNodeFields(nodes_, &out);
  return out;
}

}  // namespace vigil::logql
