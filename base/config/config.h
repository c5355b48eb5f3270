// Typed decoding of Vigil's YAML config files with errors that say exactly where the problem is.
//
// A config struct gets a small decode function that names its keys; an Object reader does the YAML work:
//
//   absl::Status DecodeStorage(config::Object& obj, StorageConfig* out) {
//     obj.Optional("path", &out->path);                                    // std::string
//     obj.Optional("retention", &out->retention);                          // absl::Duration, "15d"
//     obj.Optional("retention_size", &out->max_bytes, config::ByteSize);   // int64_t, "512MB"
//     obj.Required("listen_address", &out->listen);
//     obj.OptionalObject("limits", [&](config::Object& o) { return DecodeLimits(o, &out->limits); });
//     obj.OptionalList("scrape_configs", &out->scrapes, DecodeScrape);     // absl::Status(Object&, Scrape*)
//     return obj.Finish();                                                 // Unknown keys are errors.
//   }
//
//   absl::StatusOr<StorageConfig> cfg = config::LoadAndDecode<StorageConfig>(path, DecodeStorage);
//
// Every problem in the file is reported, not just the first: the error is InvalidArgument and its message has
// one line per problem, sorted by position, each "<file>:<line>:<column>: <key path>: <what is wrong>" with
// 1-based line and column and the dotted key path (list elements as `scrape_configs[2].job_name`):
//
//   store.yaml:4:16: storage.tsdb.retention: invalid duration "10x": unknown unit "x"; want ...
//   store.yaml:12:3: storage.tsdb: unknown key "retension" (did you mean "retention"?)
//
// Scalars follow the YAML 1.2 core schema, strictly: booleans are exactly `true` or `false` (not yes/no/on/off
// or True); integers are [-+]?[0-9]+, 0x[0-9a-fA-F]+ or 0o[0-7]+; numbers also take decimals, exponents, .inf
// and .nan. A quoted scalar is a string, so `port: "9090"` is an error for an integer field (as in Prometheus);
// string, duration and byte-size fields take quoted and unquoted scalars alike. A null value (`key:`, `key: ~`,
// `key: null`) counts as absent. Duplicate keys in one mapping, non-scalar keys, and several YAML documents in
// one file are errors.
#ifndef VIGIL_BASE_CONFIG_CONFIG_H_
#define VIGIL_BASE_CONFIG_CONFIG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/status/status_macros.h"

namespace vigil::config {

namespace internal {
struct Node;
struct Context;
struct Document;
}  // namespace internal

// Reads the mapping at one key path of a config file on behalf of a decode function: each Optional/Required
// call consumes one key, converts its value into the output (left untouched when the key is absent) and records
// any error with its position; Finish() reports the keys nobody consumed. Decoding carries on after an error so
// that one run reports everything. Objects are created by ConfigFile::Decode and by the nested-object and list
// methods, never by users; they are only valid inside the decode function they are passed to.
class Object {
 public:
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;
  ~Object();

  // The dotted key path of this mapping: "" for the top level, "storage.tsdb", "scrape_configs[2]".
  const std::string& path() const { return path_; }

  // True if `key` is present with a non-null value. Does not consume it.
  bool Has(std::string_view key) const;

  // Decodes the value of `key` into *out if it is present and not null; returns true if it was and decoded
  // without error. T is one of: std::string; bool; int and int64_t (range-checked); double; absl::Duration
  // (Prometheus syntax, "1h30m"); std::vector<std::string> (a list of scalars); std::map<std::string,
  // std::string> (a mapping of scalars, e.g. external_labels). Lists and maps replace *out's contents.
  template <typename T>
  bool Optional(std::string_view key, T* out) {
    return Field(key, Presence::kOptional, out);
  }
  // The same, but a missing or null key is an error ("missing required key").
  template <typename T>
  bool Required(std::string_view key, T* out) {
    return Field(key, Presence::kRequired, out);
  }

  // Decodes a scalar with a custom parser, any callable std::string_view -> absl::StatusOr<U> with U assignable
  // to T (e.g. config::ByteSize). The parser's error message is reported at the value.
  template <typename T, typename Parser>
  bool Optional(std::string_view key, T* out, Parser&& parse) {
    return Parsed(key, Presence::kOptional, out, parse);
  }
  template <typename T, typename Parser>
  bool Required(std::string_view key, T* out, Parser&& parse) {
    return Parsed(key, Presence::kRequired, out, parse);
  }

  // Decodes a nested mapping with `decode`, given an Object for it (path "<this path>.<key>"). A non-OK status
  // returned by `decode` that is not from Finish() (a semantic check, say) is reported at the nested mapping.
  // Finish() is called on the nested object afterwards if `decode` did not. Returns true if present and error-free.
  bool OptionalObject(std::string_view key, absl::FunctionRef<absl::Status(Object&)> decode) {
    return Nested(key, Presence::kOptional, decode);
  }
  bool RequiredObject(std::string_view key, absl::FunctionRef<absl::Status(Object&)> decode) {
    return Nested(key, Presence::kRequired, decode);
  }

  // Decodes a list of mappings into *out (replacing its contents): for each element, a default-constructed T is
  // appended and decoded by `decode`, a callable (Object&, T*) -> absl::Status such as
  // `absl::Status DecodeScrape(config::Object&, ScrapeConfig*)`. Element paths are "<key>[<index>]".
  template <typename T, typename Decode>
  bool OptionalList(std::string_view key, std::vector<T>* out, Decode&& decode) {
    return List(key, Presence::kOptional, out, decode);
  }
  template <typename T, typename Decode>
  bool RequiredList(std::string_view key, std::vector<T>* out, Decode&& decode) {
    return List(key, Presence::kRequired, out, decode);
  }

  // Reports a semantic error ("must be less than retention") at `key`'s value, or at this mapping when `key` is
  // empty or absent. The path is this object's path plus `key`.
  void AddError(std::string_view key, std::string_view message);

  // Reports every key of this mapping that no Optional/Required call asked for as `unknown key "x"` at that key's
  // position (with a "did you mean" for near-misses of the asked-for names). Returns OK if neither this object nor
  // anything nested in it had an error, otherwise InvalidArgument listing those errors; the errors are already
  // recorded, so decode functions simply `return obj.Finish();`. Calling it again reports nothing new.
  absl::Status Finish();

 private:
  friend class ConfigFile;
  enum class Presence { kOptional, kRequired };

  Object(internal::Context* ctx, const internal::Node* node, std::string path);

  // The index of `key` among the mapping's entries, marking it consumed; -1 if absent. Records an error when a
  // required key is missing or null; returns -1 for null values.
  int Find(std::string_view key, Presence presence);
  std::string ChildPath(std::string_view key) const;
  // Records `message` at `at` (this mapping when null) under `path`.
  void Record(const internal::Node* at, std::string_view path, std::string_view message);
  // Runs `decode` on a nested object and reports what it returned; true if the nested object had no errors.
  bool RunNested(const internal::Node* node, std::string path, absl::FunctionRef<absl::Status(Object&)> decode);

  bool Scalar(std::string_view key, Presence presence, std::string_view expected,
              absl::FunctionRef<absl::Status(std::string_view text, bool plain)> set);
  bool Field(std::string_view key, Presence presence, std::string* out);
  bool Field(std::string_view key, Presence presence, bool* out);
  bool Field(std::string_view key, Presence presence, int* out);
  bool Field(std::string_view key, Presence presence, int64_t* out);
  bool Field(std::string_view key, Presence presence, double* out);
  bool Field(std::string_view key, Presence presence, absl::Duration* out);
  bool Field(std::string_view key, Presence presence, std::vector<std::string>* out);
  bool Field(std::string_view key, Presence presence, std::map<std::string, std::string>* out);
  bool Nested(std::string_view key, Presence presence, absl::FunctionRef<absl::Status(Object&)> decode);
  bool ObjectList(std::string_view key, Presence presence, absl::FunctionRef<void()> on_present,
                  absl::FunctionRef<absl::Status(Object&)> decode);

  template <typename T, typename Parser>
  bool Parsed(std::string_view key, Presence presence, T* out, Parser& parse) {
    return Scalar(key, presence, "a scalar value", [&](std::string_view text, bool) -> absl::Status {
      auto value = parse(text);
      if (!value.ok()) return value.status();
      *out = *std::move(value);
      return absl::OkStatus();
    });
  }

  template <typename T, typename Decode>
  bool List(std::string_view key, Presence presence, std::vector<T>* out, Decode& decode) {
    return ObjectList(
        key, presence, [out] { out->clear(); },
        [&](Object& element) -> absl::Status { return decode(element, &out->emplace_back()); });
  }

  internal::Context* const ctx_;
  const internal::Node* const node_;  // A mapping, or null for an empty document.
  const std::string path_;
  std::vector<bool> consumed_;
  std::vector<std::string> asked_;  // Keys the decoder asked for, for "did you mean".
  const size_t first_error_;        // The context's error count when this object was created.
  bool finished_ = false;
};

// A parsed config file: its display name and YAML tree. Cheap to copy (the tree is shared and immutable).
class ConfigFile {
 public:
  // The name errors start with: the path given to LoadFile, or Parse's display_name.
  const std::string& name() const;

  // Runs `decode` on the top-level mapping and returns OK, or InvalidArgument with every error found (see the
  // file comment). A top level that is not a mapping is an error and `decode` is not run; an empty file decodes
  // as an empty mapping.
  absl::Status Decode(absl::FunctionRef<absl::Status(Object&)> decode) const;

 private:
  friend absl::StatusOr<ConfigFile> Parse(std::string_view text, std::string_view display_name);
  explicit ConfigFile(std::shared_ptr<const internal::Document> doc) : doc_(std::move(doc)) {}

  std::shared_ptr<const internal::Document> doc_;
};

// Parses YAML text. Malformed YAML gives InvalidArgument "<display_name>:<line>:<col>: <yaml-cpp's reason>";
// duplicate keys, non-scalar keys, recursive aliases and content after the first document give InvalidArgument with
// every such problem listed. Empty text (or only comments) is an empty mapping.
absl::StatusOr<ConfigFile> Parse(std::string_view text, std::string_view display_name);

// Reads and parses the file at `path`; errors name the file as `path`. A file that cannot be read gives the
// errno-derived status (NotFound, PermissionDenied, ...) with a message naming the path and the errno text.
absl::StatusOr<ConfigFile> LoadFile(std::string_view path);

// A parser for Optional/Required: a byte size such as "512MB" (units::ParseByteSize, powers of 1024).
absl::StatusOr<int64_t> ByteSize(std::string_view text);

// LoadFile + Decode into a default-constructed T with `decode`, a callable (Object&, T*) -> absl::Status.
template <typename T, typename Decode>
absl::StatusOr<T> LoadAndDecode(std::string_view path, Decode&& decode) {
  VIGIL_ASSIGN_OR_RETURN(ConfigFile file, LoadFile(path));
  T out{};
  VIGIL_RETURN_IF_ERROR(file.Decode([&](Object& obj) { return decode(obj, &out); }));
  return out;
}

// Parse + Decode, for configs that do not come from a file (flags, tests).
template <typename T, typename Decode>
absl::StatusOr<T> ParseAndDecode(std::string_view text, std::string_view display_name, Decode&& decode) {
  VIGIL_ASSIGN_OR_RETURN(ConfigFile file, Parse(text, display_name));
  T out{};
  VIGIL_RETURN_IF_ERROR(file.Decode([&](Object& obj) { return decode(obj, &out); }));
  return out;
}

}  // namespace vigil::config

#endif  // VIGIL_BASE_CONFIG_CONFIG_H_
