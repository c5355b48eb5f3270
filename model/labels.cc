#include "model/labels.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "model/hash.h"

namespace vigil {
namespace {

constexpr char kSeparator = '\xff';

bool ByName(const LabelPair& a, const LabelPair& b) { return a.first < b.first; }

}  // namespace

Labels Labels::FromSorted(size_t n, absl::FunctionRef<Label(size_t)> get, const uint64_t* hash) {
  Labels out;
  if (n == 0) return out;
  size_t byte_length = 0;
  for (size_t i = 0; i < n; ++i) {
    const Label l = get(i);
    byte_length += l.name.size() + l.value.size() + 2;
  }
  // Offsets are uint32; a label set of 4 GiB is a bug upstream, not data to store.
  ABSL_RAW_CHECK(n <= std::numeric_limits<uint32_t>::max() / 2 && byte_length <= std::numeric_limits<uint32_t>::max(),
                 "label set too large");
  const size_t words = 2 * n + (byte_length + 3) / 4;
  out.rep_ = std::make_unique_for_overwrite<uint32_t[]>(words);
  out.size_ = static_cast<uint32_t>(n);
  uint32_t* ends = out.rep_.get();
  char* bytes = reinterpret_cast<char*>(ends + 2 * n);
  // Zero the padding of the last word so copies and comparisons never read indeterminate bytes.
  std::memset(bytes + byte_length, 0, words * 4 - 2 * n * 4 - byte_length);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    const Label l = get(i);
    std::memcpy(bytes + pos, l.name.data(), l.name.size());
    pos += l.name.size();
    ends[2 * i] = static_cast<uint32_t>(pos);
    bytes[pos++] = kSeparator;
    std::memcpy(bytes + pos, l.value.data(), l.value.size());
    pos += l.value.size();
    ends[2 * i + 1] = static_cast<uint32_t>(pos);
    bytes[pos++] = kSeparator;
  }
  out.hash_ = hash != nullptr ? *hash : Hash64Bytes(bytes, byte_length);
  return out;
}

Labels::Labels(const Labels& other) : hash_(other.hash_), size_(other.size_) {
  if (size_ > 0) {
    const size_t words = other.Words();
    rep_ = std::make_unique_for_overwrite<uint32_t[]>(words);
    std::memcpy(rep_.get(), other.rep_.get(), words * sizeof(uint32_t));
  }
}

Labels& Labels::operator=(const Labels& other) {
  if (this != &other) *this = Labels(other);
  return *this;
}

Labels::Labels(Labels&& other) noexcept
    : hash_(std::exchange(other.hash_, kEmptyHash)),
      size_(std::exchange(other.size_, 0)),
      rep_(std::move(other.rep_)) {}

Labels& Labels::operator=(Labels&& other) noexcept {
  if (this != &other) {
    hash_ = std::exchange(other.hash_, kEmptyHash);
    size_ = std::exchange(other.size_, 0);
    rep_ = std::move(other.rep_);
  }
  return *this;
}

Labels Labels::FromPairs(std::span<const LabelPair> pairs) {
  std::vector<LabelPair> sorted(pairs.begin(), pairs.end());
  // Stable, so that among equal names the last one given stays last and wins.
  std::stable_sort(sorted.begin(), sorted.end(), ByName);
  std::vector<LabelPair> kept;
  kept.reserve(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i + 1 < sorted.size() && sorted[i + 1].first == sorted[i].first) continue;  // a later one replaces it
    if (sorted[i].second.empty()) continue;
    kept.push_back(sorted[i]);
  }
  return FromSorted(kept.size(), [&kept](size_t i) { return Label{kept[i].first, kept[i].second}; });
}

absl::StatusOr<Labels> Labels::FromUnsorted(std::vector<std::pair<std::string, std::string>> pairs) {
  std::stable_sort(pairs.begin(), pairs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<size_t> kept;
  kept.reserve(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].first.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("empty label name (with value ", QuoteLabelValue(pairs[i].second), ")"));
    }
    if (i > 0 && pairs[i].first == pairs[i - 1].first) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate label name ", QuoteLabelValue(pairs[i].first)));
    }
    if (!pairs[i].second.empty()) kept.push_back(i);
  }
  return FromSorted(kept.size(), [&](size_t i) {
    const auto& p = pairs[kept[i]];
    return Label{p.first, p.second};
  });
}

std::string_view Labels::Get(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    const Label l = (*this)[i];
    if (l.name == name) return l.value;
    if (l.name > name) break;  // sorted: it cannot come later
  }
  return {};
}

bool Labels::Has(std::string_view name) const {
  for (size_t i = 0; i < size_; ++i) {
    const std::string_view n = (*this)[i].name;
    if (n == name) return true;
    if (n > name) break;
  }
  return false;
}

std::string Labels::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < size_; ++i) {
    const Label l = (*this)[i];
    if (i > 0) out.append(", ");
    out.append(l.name);
    out.push_back('=');
    AppendQuotedLabelValue(&out, l.value);
  }
  out.push_back('}');
  return out;
}

size_t Labels::MemoryBytes() const { return sizeof(Labels) + (size_ == 0 ? 0 : Words() * sizeof(uint32_t)); }

bool operator==(const Labels& a, const Labels& b) {
  if (a.hash_ != b.hash_ || a.size_ != b.size_) return false;
  if (a.size_ == 0) return true;
  // The representation is canonical (sorted, fixed layout, zeroed padding), so equal sets have equal words.
  const size_t words = a.Words();
  return words == b.Words() && std::memcmp(a.rep_.get(), b.rep_.get(), words * sizeof(uint32_t)) == 0;
}

int Compare(const Labels& a, const Labels& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const Label la = a[i];
    const Label lb = b[i];
    if (const int c = la.name.compare(lb.name); c != 0) return c;
    if (const int c = la.value.compare(lb.value); c != 0) return c;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

LabelsBuilder& LabelsBuilder::Reset(const Labels& base) {
  labels_.clear();
  labels_.reserve(base.size());
  for (const Label l : base) labels_.emplace_back(std::string(l.name), std::string(l.value));
  return *this;
}

LabelsBuilder& LabelsBuilder::Set(std::string_view name, std::string_view value) {
  if (value.empty()) return Del(name);
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const auto& label, std::string_view n) { return label.first < n; });
  if (it != labels_.end() && it->first == name) {
    it->second.assign(value);
  } else {
    labels_.emplace(it, std::string(name), std::string(value));
  }
  return *this;
}

LabelsBuilder& LabelsBuilder::Del(std::string_view name) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const auto& label, std::string_view n) { return label.first < n; });
  if (it != labels_.end() && it->first == name) labels_.erase(it);
  return *this;
}

void LabelsBuilder::RemoveIf(absl::FunctionRef<bool(std::string_view)> pred) {
  labels_.erase(std::remove_if(labels_.begin(), labels_.end(), [&](const auto& label) { return pred(label.first); }),
                labels_.end());
}

namespace {

template <typename Names>
bool Contains(const Names& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

LabelsBuilder& LabelsBuilder::Keep(std::span<const std::string_view> names) {
  RemoveIf([&](std::string_view n) { return !Contains(names, n); });
  return *this;
}

LabelsBuilder& LabelsBuilder::Keep(const std::vector<std::string>& names) {
  RemoveIf([&](std::string_view n) { return !Contains(names, n); });
  return *this;
}

LabelsBuilder& LabelsBuilder::Drop(std::span<const std::string_view> names) {
  RemoveIf([&](std::string_view n) { return Contains(names, n); });
  return *this;
}

LabelsBuilder& LabelsBuilder::Drop(const std::vector<std::string>& names) {
  RemoveIf([&](std::string_view n) { return Contains(names, n); });
  return *this;
}

std::string_view LabelsBuilder::Get(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const auto& label, std::string_view n) { return label.first < n; });
  if (it != labels_.end() && it->first == name) return it->second;
  return {};
}

Labels LabelsBuilder::Build() const {
  return Labels::FromSorted(labels_.size(), [this](size_t i) { return Label{labels_[i].first, labels_[i].second}; });
}

namespace {

inline bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

// Returns the length of the well-formed UTF-8 sequence starting at s[i], or 0 if there is none.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return 1;
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    return left >= 2 && cont(i + 1) ? 2 : 0;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    const unsigned char b1 = byte(i + 1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;  // continuation byte, C0/C1 (always overlong) or F5..FF
}

}  // namespace

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && IsAsciiDigit(c)))) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!(IsAsciiLetter(c) || c == '_' || (i > 0 && IsAsciiDigit(c)))) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

absl::Status ValidateLabels(const Labels& labels) {
  for (const Label l : labels) {
    if (!IsValidLabelName(l.name)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid label name ", QuoteLabelValue(l.name)));
    }
    if (!IsValidUtf8(l.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid UTF-8 in value of label ", AV(l.name), ": ", QuoteLabelValue(l.value)));
    }
    if (l.name == kMetricNameLabel && !IsValidMetricName(l.value)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid metric name ", QuoteLabelValue(l.value)));
    }
  }
  return absl::OkStatus();
}

void AppendQuotedLabelValue(std::string* out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->reserve(out->size() + value.size() + 2);
  out->push_back('"');
  for (size_t i = 0; i < value.size();) {
    const char c = value[i];
    const auto u = static_cast<unsigned char>(c);
    const char* escape = nullptr;
    switch (c) {
      case '"':
        escape = "\\\"";
        break;
      case '\\':
        escape = "\\\\";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      case '\t':
        escape = "\\t";
        break;
      case '\a':
        escape = "\\a";
        break;
      case '\b':
        escape = "\\b";
        break;
      case '\f':
        escape = "\\f";
        break;
      case '\v':
        escape = "\\v";
        break;
      default:
        break;
    }
    if (escape != nullptr) {
      out->append(escape);
      ++i;
      continue;
    }
    if (u >= 0x20 && u < 0x7F) {
      out->push_back(c);
      ++i;
      continue;
    }
    const size_t n = u >= 0x80 ? Utf8SequenceLength(value, i) : 0;
    if (n > 0) {
      out->append(value.substr(i, n));
      i += n;
      continue;
    }
    // A control byte, DEL or a byte that does not start well-formed UTF-8.
    out->append("\\x");
    out->push_back(kHex[u >> 4]);
    out->push_back(kHex[u & 0xF]);
    ++i;
  }
  out->push_back('"');
}

std::string QuoteLabelValue(std::string_view value) {
  std::string out;
  AppendQuotedLabelValue(&out, value);
  return out;
}

}  // namespace vigil
