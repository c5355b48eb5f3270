// Labels: the immutable, sorted set of name/value pairs that identifies a time series, as Prometheus' labels.Labels.
//
//   vigil::Labels l = {{"__name__", "up"}, {"job", "node"}};
//   l.Get("job");        // "node"
//   l.Get("absent");     // "" (an absent label reads as the empty string, as in Prometheus)
//   l.ToString();        // {__name__="up", job="node"}
//
//   vigil::Labels l2 = vigil::LabelsBuilder(l).Set("instance", "a:9100").Del("job").Build();
//
// Invariants of every Labels value: sorted by name (bytewise), names unique, values non-empty (setting a label to ""
// deletes it, as in Prometheus). Names and values are otherwise not checked at construction (FromUnsorted() also
// rejects empty names); use ValidateLabels() for data arriving from outside.
//
// Storage is one heap allocation per non-empty set: 2*size() uint32 end offsets followed by the bytes
// `name \xff value \xff name \xff value \xff ...`. The hash is computed once, at construction, as XXH64 (seed 0) of
// exactly those bytes, which is also what Prometheus' labels.Hash() computes, so the values agree with Prometheus.
// 0xff never occurs in UTF-8, which keeps {a="bc"} and {ab="c"} apart.
#ifndef VIGIL_MODEL_LABELS_H_
#define VIGIL_MODEL_LABELS_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace vigil {

class SymbolTable;

// The label holding a series' metric name.
inline constexpr std::string_view kMetricNameLabel = "__name__";

// A view of one label. Both views point into the Labels (or builder) it came from and live as long as it does.
struct Label {
  std::string_view name;
  std::string_view value;

  friend bool operator==(const Label&, const Label&) = default;
};

// A name/value pair as written in literals: {"job", "node"}.
using LabelPair = std::pair<std::string_view, std::string_view>;

class Labels {
 public:
  // A random-access iterator over the labels in name order. Dereferencing yields a Label by value.
  class const_iterator {
   public:
    using iterator_concept = std::random_access_iterator_tag;
    using iterator_category = std::input_iterator_tag;  // *it is not a reference, so not a legacy forward iterator.
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    using reference = Label;
    using pointer = void;

    const_iterator() = default;

    Label operator*() const { return (*labels_)[index_]; }
    Label operator[](difference_type n) const { return (*labels_)[index_ + n]; }

    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator old = *this;
      ++index_;
      return old;
    }
    const_iterator& operator--() {
      --index_;
      return *this;
    }
    const_iterator operator--(int) {
      const_iterator old = *this;
      --index_;
      return old;
    }
    const_iterator& operator+=(difference_type n) {
      index_ += n;
      return *this;
    }
    const_iterator& operator-=(difference_type n) {
      index_ -= n;
      return *this;
    }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) { return a.index_ - b.index_; }
    friend bool operator==(const const_iterator& a, const const_iterator& b) { return a.index_ == b.index_; }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) { return a.index_ <=> b.index_; }

   private:
    friend class Labels;
    const_iterator(const Labels* labels, difference_type index) : labels_(labels), index_(index) {}

    const Labels* labels_ = nullptr;
    difference_type index_ = 0;
  };
  using iterator = const_iterator;
  using value_type = Label;
  using size_type = size_t;

  // Hash() of the empty set: XXH64 of no bytes.
  static constexpr uint64_t kEmptyHash = 0xEF46DB3751D8E999ULL;

  // The empty label set.
  Labels() = default;

  // Builds from literal pairs in any order, with LabelsBuilder::Set semantics: a later pair replaces an earlier one
  // of the same name and an empty value deletes the label. Meant for tests and constants; data from outside should
  // go through FromUnsorted(), which reports duplicates and empty names instead.
  Labels(std::initializer_list<LabelPair> pairs) : Labels(FromPairs(std::span<const LabelPair>(pairs))) {}

  Labels(const Labels& other);
  Labels& operator=(const Labels& other);
  Labels(Labels&& other) noexcept;
  Labels& operator=(Labels&& other) noexcept;
  ~Labels() = default;

  // As the initializer-list constructor.
  static Labels FromPairs(std::span<const LabelPair> pairs);
  static Labels FromPairs(std::initializer_list<LabelPair> pairs) {
    return FromPairs(std::span<const LabelPair>(pairs));
  }

  // Sorts `pairs` by name and builds the set. Returns InvalidArgument naming the label if a name is empty or occurs
  // more than once. Pairs with an empty value are dropped (an empty value means "absent"). Does not check the
  // character set of names or values; see ValidateLabels().
  static absl::StatusOr<Labels> FromUnsorted(std::vector<std::pair<std::string, std::string>> pairs);

  // The number of labels.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // The i-th label in name order. Requires i < size().
  Label operator[](size_t i) const {
    const uint32_t* ends = rep_.get();
    const char* bytes = Bytes();
    const uint32_t name_begin = i == 0 ? 0 : ends[2 * i - 1] + 1;
    const uint32_t name_end = ends[2 * i];
    const uint32_t value_end = ends[2 * i + 1];
    return Label{std::string_view(bytes + name_begin, name_end - name_begin),
                 std::string_view(bytes + name_end + 1, value_end - name_end - 1)};
  }

  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, static_cast<std::ptrdiff_t>(size_)); }

  // The value of label `name`, or "" if there is none.
  std::string_view Get(std::string_view name) const;
  // Whether a label `name` exists.
  bool Has(std::string_view name) const;
  // The value of __name__, or "" if there is none.
  std::string_view MetricName() const { return Get(kMetricNameLabel); }

  // The stable 64-bit hash computed at construction (see the file comment). Equal sets have equal hashes.
  uint64_t Hash() const { return hash_; }

  // Prometheus' rendering: {__name__="up", job="node"}; values quoted as by QuoteLabelValue(). "{}" when empty.
  std::string ToString() const;

  // Heap and inline bytes held by this value; for memory accounting.
  size_t MemoryBytes() const;

  // Equal when the same names map to the same values. Compares hashes first.
  friend bool operator==(const Labels& a, const Labels& b);

  // Lets Labels key absl containers (flat_hash_map<Labels, T>) at the cost of one mix of the precomputed hash.
  template <typename H>
  friend H AbslHashValue(H h, const Labels& labels) {
    return H::combine(std::move(h), labels.hash_);
  }

 private:
  friend class LabelsBuilder;
  friend class SymbolTable;

  // Builds a set of `n` labels, the i-th given by get(i); they must be sorted by name, with unique names and
  // non-empty values. Uses `*hash` instead of computing the hash when it is not null (the caller vouches for it).
  static Labels FromSorted(size_t n, absl::FunctionRef<Label(size_t)> get, const uint64_t* hash = nullptr);

  const char* Bytes() const { return reinterpret_cast<const char*>(rep_.get() + 2 * size_); }
  // Bytes in the byte area, separators included.
  size_t ByteLength() const { return size_ == 0 ? 0 : rep_[2 * size_ - 1] + 1; }
  // uint32 words of the allocation.
  size_t Words() const { return 2 * size_ + (ByteLength() + 3) / 4; }

  uint64_t hash_ = kEmptyHash;
  uint32_t size_ = 0;
  // 2*size_ end offsets (exclusive, into the byte area) of name 0, value 0, name 1, ...; then the byte area.
  // Null when empty.
  std::unique_ptr<uint32_t[]> rep_;
};

// Prometheus' labels.Compare: a total order comparing label by label, name first, then value (bytewise); when one
// set is a prefix of the other the shorter comes first. Returns <0, 0 or >0.
int Compare(const Labels& a, const Labels& b);

// The order of Compare(), so Labels can be sorted and key ordered containers.
inline std::strong_ordering operator<=>(const Labels& a, const Labels& b) { return Compare(a, b) <=> 0; }

// Assembles a label set by editing a copy of another, as Prometheus' labels.Builder. Every operation keeps the
// working set sorted with unique names. Reuse one builder (Reset) to avoid reallocating.
class LabelsBuilder {
 public:
  // Starts empty.
  LabelsBuilder() = default;
  // Starts from `base`.
  explicit LabelsBuilder(const Labels& base) { Reset(base); }

  // Starts over from `base`.
  LabelsBuilder& Reset(const Labels& base);

  // Sets label `name` to `value`, replacing any previous value; an empty value deletes the label.
  LabelsBuilder& Set(std::string_view name, std::string_view value);
  // Deletes label `name` if present.
  LabelsBuilder& Del(std::string_view name);

  // Deletes every label whose name is not in `names`.
  LabelsBuilder& Keep(std::initializer_list<std::string_view> names) {
    return Keep(std::span<const std::string_view>(names));
  }
  LabelsBuilder& Keep(std::span<const std::string_view> names);
  LabelsBuilder& Keep(const std::vector<std::string>& names);

  // Deletes every label whose name is in `names`.
  LabelsBuilder& Drop(std::initializer_list<std::string_view> names) {
    return Drop(std::span<const std::string_view>(names));
  }
  LabelsBuilder& Drop(std::span<const std::string_view> names);
  LabelsBuilder& Drop(const std::vector<std::string>& names);

  // The current value of `name`, or "" if unset. Valid until the next edit.
  std::string_view Get(std::string_view name) const;
  // The number of labels currently set.
  size_t size() const { return labels_.size(); }

  // Returns the current set. The builder is unchanged and may be edited and built again.
  Labels Build() const;

 private:
  // Deletes every label for which `pred(name)` is true.
  void RemoveIf(absl::FunctionRef<bool(std::string_view)> pred);

  // Sorted by name, names unique, values non-empty.
  std::vector<std::pair<std::string, std::string>> labels_;
};

// Whether `name` is a valid metric name in the legacy Prometheus character set: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsValidMetricName(std::string_view name);

// Whether `name` is a valid label name in the legacy Prometheus character set: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidLabelName(std::string_view name);

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), as Go's
// utf8.ValidString.
bool IsValidUtf8(std::string_view s);

// Checks a label set from outside (scrapes, remote write, the API): every name is a valid label name, every value
// is valid UTF-8, and __name__, if present, is a valid metric name. The error names the offending label.
absl::Status ValidateLabels(const Labels& labels);

// Appends `value` double-quoted with Go %q-style escapes: \" \\ \n \r \t \a \b \f \v, \xHH for other control bytes,
// DEL and bytes that are not valid UTF-8. Valid multi-byte UTF-8 is copied as is (Go would also escape
// non-printable code points such as U+00A0; this does not).
void AppendQuotedLabelValue(std::string* out, std::string_view value);

// As AppendQuotedLabelValue, returning a new string.
std::string QuoteLabelValue(std::string_view value);

}  // namespace vigil

#endif  // VIGIL_MODEL_LABELS_H_
