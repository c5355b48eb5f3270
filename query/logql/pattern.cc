#include "query/logql/pattern.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::logql {
namespace {

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

absl::StatusOr<std::vector<Pattern::Node>> Pattern::ParseNodes(std::string_view p) {
  std::vector<Node> nodes;
  size_t i = 0;
  const auto add_literal = [&](std::string_view s) {
    if (!nodes.empty() && !nodes.back().capture) {
      nodes.back().text.append(s);
    } else {
      nodes.push_back(Node{false, false, std::string(s)});
    }
  };
  while (i < p.size()) {
    if (p[i] == '<' && i + 1 < p.size() && IsNameStart(p[i + 1])) {
      size_t j = i + 2;
      while (j < p.size() && IsNameChar(p[j])) ++j;
      if (j < p.size() && p[j] == '>') {
        const std::string_view name = p.substr(i + 1, j - i - 1);
        nodes.push_back(Node{true, name != "_", std::string(name)});
        i = j + 1;
        continue;
      }
    }
    add_literal(p.substr(i, 1));
    ++i;
  }
  for (size_t k = 0; k + 1 < nodes.size(); ++k) {
    if (nodes[k].capture && nodes[k + 1].capture) {
      return absl::InvalidArgumentError(absl::StrCat("found consecutive capture '<", nodes[k].text, "><",
                                                     nodes[k + 1].text, ">': invalid expression"));
    }
  }
  return nodes;
}

absl::StatusOr<Pattern> Pattern::Parse(std::string_view pattern) {
  absl::StatusOr<std::vector<Node>> nodes = ParseNodes(pattern);
  if (!nodes.ok()) return nodes.status();
  Pattern p;
  p.nodes_ = *std::move(nodes);
  absl::flat_hash_set<std::string> seen;
  for (const Node& n : p.nodes_) {
    if (!n.named) continue;
    if (!seen.insert(n.text).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate capture name (", n.text, "): invalid expression"));
    }
    p.names_.push_back(n.text);
  }
  if (p.names_.empty()) return absl::InvalidArgumentError("at least one capture is required");
  return p;
}

absl::StatusOr<Pattern> Pattern::ParseLineFilter(std::string_view pattern) {
  absl::StatusOr<std::vector<Node>> nodes = ParseNodes(pattern);
  if (!nodes.ok()) return nodes.status();
  for (const Node& n : *nodes) {
    if (n.named) {
      return absl::InvalidArgumentError(absl::StrCat("named captures are not allowed: found '<", n.text, ">'"));
    }
  }
  Pattern p;
  p.nodes_ = *std::move(nodes);
  return p;
}

void Pattern::Matches(std::string_view in, std::vector<std::string_view>* caps) const {
  caps->clear();
  if (in.empty() || nodes_.empty()) return;
  size_t k = 0;
  if (!nodes_[0].capture) {
    if (in.substr(0, nodes_[0].text.size()) != nodes_[0].text) return;
    in.remove_prefix(nodes_[0].text.size());
    k = 1;
  }
  if (k == nodes_.size()) return;
  // From here on: capture, literal, capture, literal, ... (maybe ending on a capture).
  while (k < nodes_.size()) {
    const Node& cap = nodes_[k];
    if (k + 1 == nodes_.size()) {
      if (cap.named) caps->push_back(in);
      return;
    }
    const std::string& lit = nodes_[k + 1].text;
    k += 2;
    const size_t at = in.find(lit);
    if (at == std::string_view::npos) {
      if (cap.named) caps->push_back(in);
      return;
    }
    if (cap.named) caps->push_back(in.substr(0, at));
    in.remove_prefix(at + lit.size());
  }
}

bool Pattern::Test(std::string_view in) const {
  if (in.empty() || nodes_.empty()) return in.empty() && nodes_.empty();
  size_t off = 0;
  for (size_t k = 0; k < nodes_.size(); ++k) {
    if (nodes_[k].capture) continue;
    const size_t j = in.substr(off).find(nodes_[k].text);
    if (j == std::string_view::npos) return false;
    if (k != 0 && j == 0) return false;  // an empty capture before this literal
    off += j + nodes_[k].text.size();
  }
  const bool ends_on_capture = nodes_.back().capture;
  const bool has_rest = off != in.size();
  return ends_on_capture == has_rest;
}

}  // namespace vigil::logql
