#include "base/config/config.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <limits>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/strings/absl_view.h"
#include "base/units/bytes.h"
#include "base/units/duration.h"
#include "yaml-cpp/anchor.h"
#include "yaml-cpp/emitterstyle.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/exceptions.h"
#include "yaml-cpp/mark.h"
#include "yaml-cpp/parser.h"

namespace vigil::config {
namespace internal {

// The YAML tree Vigil decodes from: yaml-cpp's events turned into plain structs, keeping what error messages need
// (0-based positions, whether a scalar was quoted). Aliases share the anchored node.
struct Node {
  enum class Kind { kNull, kScalar, kSequence, kMapping };
  Kind kind = Kind::kNull;
  int line = 0;
  int column = 0;
  std::string value;                         // Scalars.
  bool plain = false;                        // Scalars: unquoted and untagged, so it may be a bool or a number.
  std::vector<std::shared_ptr<Node>> items;  // Sequences.
  std::vector<std::pair<std::shared_ptr<Node>, std::shared_ptr<Node>>> entries;  // Mappings: key, value.
};

struct Document {
  std::string name;
  std::shared_ptr<Node> root;  // Null for an empty file.
};

struct Error {
  int line;
  int column;
  std::string text;
};

// The errors of one Parse or Decode.
struct Context {
  std::string file;
  std::vector<Error> errors;

  void Add(int line, int column, std::string_view path, std::string_view message) {
    std::string text = absl::StrCat(file, ":", line + 1, ":", column + 1, ": ");
    if (!path.empty()) absl::StrAppend(&text, AV(path), ": ");
    absl::StrAppend(&text, AV(message));
    errors.push_back(Error{line, column, std::move(text)});
  }

  // Errors from index `from` on, sorted by position, repeats dropped, one per line.
  absl::Status ToStatus(size_t from) const {
    if (errors.size() <= from) return absl::OkStatus();
    std::vector<Error> sorted(errors.begin() + static_cast<std::ptrdiff_t>(from), errors.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const Error& a, const Error& b) {
      return std::pair(a.line, a.column) < std::pair(b.line, b.column);
    });
    std::vector<std::string_view> lines;
    for (const Error& e : sorted) {
      if (std::find(lines.begin(), lines.end(), e.text) == lines.end()) lines.push_back(e.text);
    }
    std::string message;
    for (std::string_view line : lines) {
      if (!message.empty()) message.push_back('\n');
      message.append(line);
    }
    return absl::InvalidArgumentError(message);
  }
};

}  // namespace internal

namespace {

using internal::Node;
using Kind = internal::Node::Kind;

// Marks a status returned by Object::Finish: its errors are already recorded in the context.
constexpr std::string_view kReportedPayload = "type.vigil.dev/config.ErrorsRecorded";

bool IsReported(const absl::Status& status) { return status.GetPayload(AV(kReportedPayload)).has_value(); }

std::string JoinPath(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : absl::StrCat(AV(path), ".", AV(key));
}

std::string Quote(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() > kMax) return absl::StrCat("\"", absl::CEscape(AV(text.substr(0, kMax))), "\"...");
  return absl::StrCat("\"", absl::CEscape(AV(text)), "\"");
}

std::string DescribeScalar(std::string_view text, bool plain) {
  return plain ? Quote(text) : absl::StrCat("the quoted string ", Quote(text));
}

std::string Describe(const Node& node) {
  switch (node.kind) {
    case Kind::kNull:
      return "null";
    case Kind::kScalar:
      return DescribeScalar(node.value, node.plain);
    case Kind::kSequence:
      return "a list";
    case Kind::kMapping:
      return "a mapping";
  }
  return "?";
}

// Builds the Node tree from yaml-cpp's parse events and checks what yaml-cpp does not: duplicate keys, non-scalar
// keys and aliases to a node from inside that node.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(internal::Context* ctx) : ctx_(ctx) {}

  std::shared_ptr<Node> root() const { return root_; }
  const YAML::Mark& document_mark() const { return document_mark_; }

  void OnDocumentStart(const YAML::Mark& mark) override { document_mark_ = mark; }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    std::shared_ptr<Node> node = NewNode(Kind::kNull, mark);
    Add(node);
    Anchor(anchor, node);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it != anchors_.end()) {
      Add(it->second);
      return;
    }
    // yaml-cpp rejects undefined anchors itself, so this is an alias inside the node it names.
    ctx_->Add(mark.line, mark.column, ChildPath(), "an alias may not refer to a node that contains it");
    Add(NewNode(Kind::kNull, mark));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    std::shared_ptr<Node> node = NewNode(Kind::kScalar, mark);
    node->value = value;
    node->plain = tag == "?";
    Add(node);
    Anchor(anchor, node);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(NewNode(Kind::kSequence, mark), anchor);
  }
  void OnSequenceEnd() override { Pop(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(NewNode(Kind::kMapping, mark), anchor);
  }
  void OnMapEnd() override { Pop(); }

 private:
  struct Frame {
    std::shared_ptr<Node> node;
    YAML::anchor_t anchor;
    std::string path;
    std::shared_ptr<Node> pending_key;                // Mappings: the key whose value comes next.
    absl::flat_hash_map<std::string, int> key_lines;  // Mappings: the line each key first appeared on.
  };

  static std::shared_ptr<Node> NewNode(Kind kind, const YAML::Mark& mark) {
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->line = std::max(mark.line, 0);
    node->column = std::max(mark.column, 0);
    return node;
  }

  // The key path of the node about to be added.
  std::string ChildPath() const {
    if (stack_.empty()) return "";
    const Frame& f = stack_.back();
    if (f.node->kind == Kind::kSequence) return absl::StrCat(f.path, "[", f.node->items.size(), "]");
    if (f.pending_key != nullptr) return JoinPath(f.path, f.pending_key->value);
    return f.path;
  }

  void Add(const std::shared_ptr<Node>& node) {
    if (stack_.empty()) {
      root_ = node;
      return;
    }
    Frame& f = stack_.back();
    if (f.node->kind == Kind::kSequence) {
      f.node->items.push_back(node);
      return;
    }
    if (f.pending_key != nullptr) {
      f.node->entries.emplace_back(std::move(f.pending_key), node);
      f.pending_key = nullptr;
      return;
    }
    // `node` is a key.
    if (node->kind != Kind::kScalar) {
      ctx_->Add(node->line, node->column, f.path, absl::StrCat("mapping keys must be strings, got ", Describe(*node)));
    } else if (auto [it, inserted] = f.key_lines.try_emplace(node->value, node->line); !inserted) {
      ctx_->Add(node->line, node->column, f.path,
                absl::StrCat("duplicate key ", Quote(node->value), " (first defined on line ", it->second + 1, ")"));
    }
    f.pending_key = node;
  }

  void Push(std::shared_ptr<Node> node, YAML::anchor_t anchor) {
    std::string path = ChildPath();
    Add(node);
    stack_.push_back(Frame{std::move(node), anchor, std::move(path), nullptr, {}});
  }

  void Pop() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    Anchor(f.anchor, f.node);
  }

  void Anchor(YAML::anchor_t anchor, const std::shared_ptr<Node>& node) {
    if (anchor != YAML::NullAnchor) anchors_[anchor] = node;
  }

  internal::Context* const ctx_;
  std::shared_ptr<Node> root_;
  YAML::Mark document_mark_;
  std::vector<Frame> stack_;
  absl::flat_hash_map<YAML::anchor_t, std::shared_ptr<Node>> anchors_;
};

absl::Status ExpectedGot(std::string_view expected, std::string_view text, bool plain) {
  return absl::InvalidArgumentError(absl::StrCat("expected ", AV(expected), ", got ", DescribeScalar(text, plain)));
}

// YAML 1.2 core schema integers: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+ (a sign is accepted on all three).
absl::StatusOr<int64_t> ParseInteger(std::string_view text, bool plain, int64_t min, int64_t max) {
  if (!plain) return ExpectedGot("an integer", text, plain);
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.starts_with("0x")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.starts_with("0o")) {
    base = 8;
    digits.remove_prefix(2);
  }
  uint64_t magnitude = 0;
  const char* end = digits.data() + digits.size();
  const std::from_chars_result r = std::from_chars(digits.data(), end, magnitude, base);
  if (digits.empty() || r.ptr != end || r.ec == std::errc::invalid_argument) {
    return ExpectedGot("an integer", text, plain);
  }
  constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;  // |INT64_MIN|
  int64_t value = 0;
  bool in_range = r.ec == std::errc();
  if (in_range && negative) {
    in_range = magnitude <= kMinMagnitude;
    value = magnitude == kMinMagnitude ? std::numeric_limits<int64_t>::min() : -static_cast<int64_t>(magnitude);
  } else if (in_range) {
    in_range = magnitude <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    value = static_cast<int64_t>(magnitude);
  }
  if (!in_range || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("integer ", AV(text), " is out of range [", min, ", ", max, "]"));
  }
  return value;
}

// YAML 1.2 core schema floats, and integers.
absl::StatusOr<double> ParseNumber(std::string_view text, bool plain) {
  if (!plain) return ExpectedGot("a number", text, plain);
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == ".inf" || s == ".Inf" || s == ".INF") {
    return negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") return std::numeric_limits<double>::quiet_NaN();
  if (s.starts_with("0x") || s.starts_with("0o")) {
    VIGIL_ASSIGN_OR_RETURN(
        int64_t i, ParseInteger(text, plain, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
    return static_cast<double>(i);
  }
  const bool well_formed = !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.') &&
                           s.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
  double value = 0;
  const char* end = s.data() + s.size();
  const std::from_chars_result r = well_formed ? std::from_chars(s.data(), end, value) : std::from_chars_result{};
  if (!well_formed || r.ptr != end || r.ec == std::errc::invalid_argument) return ExpectedGot("a number", text, plain);
  if (r.ec == std::errc::result_out_of_range) {
    return absl::InvalidArgumentError(absl::StrCat("number ", AV(text), " is out of range for a double"));
  }
  return negative ? -value : value;
}

// Edit distance, for "did you mean".
size_t Levenshtein(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open config file \"", path, "\""));
  std::string data;
  char buf[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return absl::ErrnoToStatus(err, absl::StrCat("cannot read config file \"", path, "\""));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return data;
}

}  // namespace

Object::Object(internal::Context* ctx, const internal::Node* node, std::string path)
    : ctx_(ctx),
      node_(node),
      path_(std::move(path)),
      consumed_(node != nullptr ? node->entries.size() : 0, false),
      first_error_(ctx->errors.size()) {}

Object::~Object() = default;

bool Object::Has(std::string_view key) const {
  if (node_ == nullptr) return false;
  for (const auto& [k, v] : node_->entries) {
    if (k->value == key) return v->kind != Kind::kNull;
  }
  return false;
}

std::string Object::ChildPath(std::string_view key) const { return JoinPath(path_, key); }

void Object::Record(const internal::Node* at, std::string_view path, std::string_view message) {
  if (at == nullptr) at = node_;
  ctx_->Add(at != nullptr ? at->line : 0, at != nullptr ? at->column : 0, path, message);
}

int Object::Find(std::string_view key, Presence presence) {
  asked_.emplace_back(key);
  if (node_ != nullptr) {
    for (size_t i = 0; i < node_->entries.size(); ++i) {
      const auto& [k, v] = node_->entries[i];
      if (k->value != key) continue;
      consumed_[i] = true;
      if (v->kind != Kind::kNull) return static_cast<int>(i);
      if (presence == Presence::kRequired) {
        Record(k.get(), path_, absl::StrCat("required key ", Quote(key), " has no value"));
      }
      return -1;
    }
  }
  if (presence == Presence::kRequired) Record(nullptr, path_, absl::StrCat("missing required key ", Quote(key)));
  return -1;
}

bool Object::Scalar(std::string_view key, Presence presence, std::string_view expected,
                    absl::FunctionRef<absl::Status(std::string_view text, bool plain)> set) {
  const int i = Find(key, presence);
  if (i < 0) return false;
  const Node* value = node_->entries[i].second.get();
  if (value->kind != Kind::kScalar) {
    Record(value, ChildPath(key), absl::StrCat("expected ", AV(expected), ", got ", Describe(*value)));
    return false;
  }
  if (absl::Status s = set(value->value, value->plain); !s.ok()) {
    Record(value, ChildPath(key), SV(s.message()));
    return false;
  }
  return true;
}

bool Object::Field(std::string_view key, Presence presence, std::string* out) {
  return Scalar(key, presence, "a string", [out](std::string_view text, bool) {
    *out = std::string(text);
    return absl::OkStatus();
  });
}

bool Object::Field(std::string_view key, Presence presence, bool* out) {
  constexpr std::string_view kExpected = "a boolean (true or false)";
  return Scalar(key, presence, kExpected, [out, kExpected](std::string_view text, bool plain) {
    if (plain && (text == "true" || text == "false")) {
      *out = text == "true";
      return absl::OkStatus();
    }
    return ExpectedGot(kExpected, text, plain);
  });
}

bool Object::Field(std::string_view key, Presence presence, int* out) {
  return Scalar(key, presence, "an integer", [out](std::string_view text, bool plain) -> absl::Status {
    VIGIL_ASSIGN_OR_RETURN(int64_t value,
                           ParseInteger(text, plain, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    *out = static_cast<int>(value);
    return absl::OkStatus();
  });
}

bool Object::Field(std::string_view key, Presence presence, int64_t* out) {
  return Scalar(key, presence, "an integer", [out](std::string_view text, bool plain) -> absl::Status {
    VIGIL_ASSIGN_OR_RETURN(
        *out, ParseInteger(text, plain, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()));
    return absl::OkStatus();
  });
}

bool Object::Field(std::string_view key, Presence presence, double* out) {
  return Scalar(key, presence, "a number", [out](std::string_view text, bool plain) -> absl::Status {
    VIGIL_ASSIGN_OR_RETURN(*out, ParseNumber(text, plain));
    return absl::OkStatus();
  });
}

bool Object::Field(std::string_view key, Presence presence, absl::Duration* out) {
  return Scalar(key, presence, "a duration", [out](std::string_view text, bool) -> absl::Status {
    VIGIL_ASSIGN_OR_RETURN(*out, units::ParsePrometheusDuration(text));
    return absl::OkStatus();
  });
}

bool Object::Field(std::string_view key, Presence presence, std::vector<std::string>* out) {
  const int i = Find(key, presence);
  if (i < 0) return false;
  const Node* list = node_->entries[i].second.get();
  const std::string path = ChildPath(key);
  if (list->kind != Kind::kSequence) {
    Record(list, path, absl::StrCat("expected a list of strings, got ", Describe(*list)));
    return false;
  }
  out->clear();
  bool ok = true;
  for (size_t j = 0; j < list->items.size(); ++j) {
    const Node* item = list->items[j].get();
    if (item->kind != Kind::kScalar) {
      Record(item, absl::StrCat(path, "[", j, "]"), absl::StrCat("expected a string, got ", Describe(*item)));
      ok = false;
      continue;
    }
    out->push_back(item->value);
  }
  return ok;
}

bool Object::Field(std::string_view key, Presence presence, std::map<std::string, std::string>* out) {
  const int i = Find(key, presence);
  if (i < 0) return false;
  const Node* map = node_->entries[i].second.get();
  const std::string path = ChildPath(key);
  if (map->kind != Kind::kMapping) {
    Record(map, path, absl::StrCat("expected a mapping of strings, got ", Describe(*map)));
    return false;
  }
  out->clear();
  bool ok = true;
  for (const auto& [k, v] : map->entries) {
    if (v->kind != Kind::kScalar) {
      Record(v->kind == Kind::kNull ? k.get() : v.get(), JoinPath(path, k->value),
             absl::StrCat("expected a string, got ", Describe(*v)));
      ok = false;
      continue;
    }
    (*out)[k->value] = v->value;
  }
  return ok;
}

bool Object::RunNested(const internal::Node* node, std::string path, absl::FunctionRef<absl::Status(Object&)> decode) {
  Object child(ctx_, node, std::move(path));
  const absl::Status status = decode(child);
  (void)child.Finish();
  if (!status.ok() && !IsReported(status)) child.Record(nullptr, child.path_, SV(status.message()));
  return ctx_->errors.size() == child.first_error_;
}

bool Object::Nested(std::string_view key, Presence presence, absl::FunctionRef<absl::Status(Object&)> decode) {
  const int i = Find(key, presence);
  if (i < 0) return false;
  const Node* value = node_->entries[i].second.get();
  if (value->kind != Kind::kMapping) {
    Record(value, ChildPath(key), absl::StrCat("expected a mapping, got ", Describe(*value)));
    return false;
  }
  return RunNested(value, ChildPath(key), decode);
}

bool Object::ObjectList(std::string_view key, Presence presence, absl::FunctionRef<void()> on_present,
                        absl::FunctionRef<absl::Status(Object&)> decode) {
  const int i = Find(key, presence);
  if (i < 0) return false;
  const Node* list = node_->entries[i].second.get();
  const std::string path = ChildPath(key);
  if (list->kind != Kind::kSequence) {
    Record(list, path, absl::StrCat("expected a list, got ", Describe(*list)));
    return false;
  }
  on_present();
  const size_t errors_before = ctx_->errors.size();
  for (size_t j = 0; j < list->items.size(); ++j) {
    const Node* item = list->items[j].get();
    std::string item_path = absl::StrCat(path, "[", j, "]");
    if (item->kind != Kind::kMapping) {
      Record(item, item_path, absl::StrCat("expected a mapping, got ", Describe(*item)));
      continue;
    }
    RunNested(item, std::move(item_path), decode);
  }
  return ctx_->errors.size() == errors_before;
}

void Object::AddError(std::string_view key, std::string_view message) {
  if (key.empty()) {
    Record(nullptr, path_, message);
    return;
  }
  if (node_ != nullptr) {
    for (const auto& [k, v] : node_->entries) {
      if (k->value == key) {
        Record(v->kind == Kind::kNull ? k.get() : v.get(), ChildPath(key), message);
        return;
      }
    }
  }
  Record(nullptr, ChildPath(key), message);
}

absl::Status Object::Finish() {
  if (!finished_ && node_ != nullptr) {
    for (size_t i = 0; i < node_->entries.size(); ++i) {
      if (consumed_[i]) continue;
      const Node* key = node_->entries[i].first.get();
      std::string message = absl::StrCat("unknown key ", Quote(key->value));
      // Suggest the closest asked-for key within a small edit distance.
      size_t best = std::max<size_t>(1, std::min<size_t>(2, key->value.size() / 3)) + 1;
      std::string_view suggestion;
      for (const std::string& asked : asked_) {
        const size_t d = Levenshtein(key->value, asked);
        if (d < best) {
          best = d;
          suggestion = asked;
        }
      }
      if (!suggestion.empty()) absl::StrAppend(&message, " (did you mean ", Quote(suggestion), "?)");
      Record(key, path_, message);
    }
  }
  finished_ = true;
  absl::Status status = ctx_->ToStatus(first_error_);
  if (!status.ok()) status.SetPayload(AV(kReportedPayload), absl::Cord("1"));
  return status;
}

const std::string& ConfigFile::name() const { return doc_->name; }

absl::Status ConfigFile::Decode(absl::FunctionRef<absl::Status(Object&)> decode) const {
  internal::Context ctx;
  ctx.file = doc_->name;
  const Node* root = doc_->root.get();
  if (root != nullptr && root->kind == Kind::kNull) root = nullptr;  // A document holding only "~".
  if (root != nullptr && root->kind != Kind::kMapping) {
    ctx.Add(root->line, root->column, "", absl::StrCat("expected a mapping at the top level, got ", Describe(*root)));
    return ctx.ToStatus(0);
  }
  Object object(&ctx, root, "");
  const absl::Status status = decode(object);
  (void)object.Finish();
  if (!status.ok() && !IsReported(status)) object.Record(nullptr, "", SV(status.message()));
  return ctx.ToStatus(0);
}

absl::StatusOr<ConfigFile> Parse(std::string_view text, std::string_view display_name) {
  internal::Context ctx;
  ctx.file = std::string(display_name);
  auto doc = std::make_shared<internal::Document>();
  doc->name = std::string(display_name);
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    TreeBuilder builder(&ctx);
    if (parser.HandleNextDocument(builder)) {
      doc->root = builder.root();
      internal::Context ignored;
      TreeBuilder extra(&ignored);
      if (parser.HandleNextDocument(extra)) {
        ctx.Add(extra.document_mark().line, extra.document_mark().column, "",
                "content after the end of the YAML document (a config file holds a single document)");
      }
    }
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return absl::InvalidArgumentError(absl::StrCat(AV(display_name), ": ", e.msg));
    ctx.errors.clear();
    ctx.Add(e.mark.line, e.mark.column, "", e.msg);
  }
  VIGIL_RETURN_IF_ERROR(ctx.ToStatus(0));
  return ConfigFile(std::move(doc));
}

absl::StatusOr<ConfigFile> LoadFile(std::string_view path) {
  const std::string p(path);
  VIGIL_ASSIGN_OR_RETURN(std::string text, ReadFile(p));
  return Parse(text, p);
}

absl::StatusOr<int64_t> ByteSize(std::string_view text) { return units::ParseByteSize(text); }

}  // namespace vigil::config
