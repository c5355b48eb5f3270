#include "agent/snapshot/snapshot.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"
#include "wire/exposition/number.h"
#include "wire/exposition/text_writer.h"

namespace vigil::agent {
namespace {

using exposition::Format;
using exposition::MetricType;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

// A family's samples for the current cycle. Kept across cycles (with their memory) while the family is in use.
struct Snapshot::FamilyData {
  struct Rec {
    uint32_t begin;  // first pair id in ids
    uint32_t count;  // pairs of the series
    double value;
  };
  // Finds a sample index by its series (pair-id sequence; ids are unique per cycle, so equal sequences are equal
  // label sets).
  struct SeriesHash {
    using is_transparent = void;
    const FamilyData* family;
    size_t operator()(std::span<const uint32_t> ids) const {
      return absl::HashOf(absl::Span<const uint32_t>(ids.data(), ids.size()));
    }
    size_t operator()(uint32_t sample) const { return (*this)(family->SeriesIds(sample)); }
  };
  struct SeriesEq {
    using is_transparent = void;
    const FamilyData* family;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(std::span<const uint32_t> a, uint32_t b) const {
      std::span<const uint32_t> ids = family->SeriesIds(b);
      return std::equal(a.begin(), a.end(), ids.begin(), ids.end());
    }
    bool operator()(uint32_t a, std::span<const uint32_t> b) const { return (*this)(b, a); }
  };

  FamilyData() : series(0, SeriesHash{this}, SeriesEq{this}) {}

  std::span<const uint32_t> SeriesIds(uint32_t sample) const {
    const Rec& r = samples[sample];
    return {ids.data() + r.begin, r.count};
  }

  void Declare(std::string_view n, MetricType t, std::string_view h, std::string_view u) {
    name.assign(n);
    type = t;
    help.assign(h);
    unit.assign(u);
    legacy_name = IsValidMetricName(name);
    // What OpenMetrics calls the family (see Render's comment).
    om_name = name;
    om_type = type;
    switch (type) {
      case MetricType::kCounter:
        if (EndsWith(name, "_total")) {
          om_name.resize(name.size() - 6);
        } else {
          om_type = MetricType::kUnknown;
        }
        break;
      case MetricType::kInfo:
        if (EndsWith(name, "_info")) {
          om_name.resize(name.size() - 5);
        } else {
          om_type = MetricType::kUnknown;
        }
        break;
      case MetricType::kHistogram:
      case MetricType::kGaugeHistogram:
      case MetricType::kSummary:
        type = MetricType::kUnknown;
        om_type = MetricType::kUnknown;
        break;
      default:
        break;
    }
    om_unit = !unit.empty() && EndsWith(om_name, absl::StrCat("_", AV(unit)));
  }

  void Clear() {
    const size_t last = samples.size();
    ids.clear();
    samples.clear();
    series.clear();
    series.reserve(last);
  }

  std::string name;
  MetricType type = MetricType::kUnknown;
  std::string help;
  std::string unit;
  bool legacy_name = true;
  std::string om_name;
  MetricType om_type = MetricType::kUnknown;
  bool om_unit = false;

  std::vector<uint32_t> ids;
  std::vector<Rec> samples;
  absl::flat_hash_set<uint32_t, SeriesHash, SeriesEq> series;
};

size_t Snapshot::PairHash::operator()(uint32_t id) const {
  return (*this)(PairKey{snapshot->PairName(id), snapshot->PairValue(id)});
}

size_t Snapshot::PairHash::operator()(const PairKey& key) const { return absl::HashOf(AV(key.name), AV(key.value)); }

bool Snapshot::PairEq::operator()(const PairKey& a, uint32_t b) const {
  return a.name == snapshot->PairName(b) && a.value == snapshot->PairValue(b);
}

Snapshot::Snapshot() : pair_index_(0, PairHash{this}, PairEq{this}) {}

Snapshot::~Snapshot() = default;

void Snapshot::Reset(TimestampMs timestamp) {
  timestamp_ = timestamp;
  num_samples_ = 0;
  duplicates_dropped_ = 0;
  orphans_dropped_ = 0;
  current_ = nullptr;
  order_.clear();

  const size_t last_pairs = pairs_.size();
  raw_.clear();
  text_.clear();
  pairs_.clear();
  pair_index_.clear();
  pair_index_.reserve(last_pairs);

  // Forget families nobody wrote last cycle (a collector was disabled, a source disappeared); keep the rest, with
  // their vectors' capacity, for the next cycle.
  bool dropped = false;
  for (auto& f : families_) {
    if (f->samples.empty()) {
      f.reset();
      dropped = true;
    } else {
      f->Clear();
    }
  }
  if (dropped) {
    families_.erase(std::remove(families_.begin(), families_.end(), nullptr), families_.end());
    family_index_.clear();
    for (uint32_t i = 0; i < families_.size(); ++i) family_index_.emplace(families_[i]->name, i);
  }
}

void Snapshot::Family(std::string_view name, MetricType type, std::string_view help, std::string_view unit) {
  auto it = family_index_.find(AV(name));
  if (it != family_index_.end()) {
    current_ = families_[it->second].get();
    // A family merged from several Family() calls keeps the first declaration, unless it is new this cycle
    // (then the collector's current declaration wins over a previous cycle's).
    if (current_->samples.empty()) current_->Declare(name, type, help, unit);
    return;
  }
  auto family = std::make_unique<FamilyData>();
  family->Declare(name, type, help, unit);
  current_ = family.get();
  family_index_.emplace(std::string(name), static_cast<uint32_t>(families_.size()));
  families_.push_back(std::move(family));
}

uint32_t Snapshot::Intern(const Label& label) {
  auto it = pair_index_.find(PairKey{label.name, label.value});
  if (it != pair_index_.end()) return *it;
  Pair p{};
  p.raw_begin = static_cast<uint32_t>(raw_.size());
  p.name_size = static_cast<uint32_t>(label.name.size());
  p.value_size = static_cast<uint32_t>(label.value.size());
  raw_.append(label.name);
  raw_.append(label.value);
  // The writer's own rendering of one label, `x{name="value"}`, minus the `x{` and `}` around it: one place decides
  // quoting and escaping.
  scratch_text_.clear();
  const Label one[] = {label};
  exposition::TextWriter::AppendSeries("x", one, &scratch_text_);
  p.text_begin = static_cast<uint32_t>(text_.size());
  p.text_size = static_cast<uint32_t>(scratch_text_.size() - 3);
  text_.append(scratch_text_, 2, scratch_text_.size() - 3);
  const auto id = static_cast<uint32_t>(pairs_.size());
  pairs_.push_back(p);
  pair_index_.insert(id);
  return id;
}

void Snapshot::Sample(std::span<const Label> labels, double value) {
  if (current_ == nullptr) {
    ++orphans_dropped_;
    return;
  }
  scratch_ids_.clear();
  for (const Label& l : labels) {
    if (l.value.empty() || l.name == kMetricNameLabel) continue;
    // Insertion into the sorted ids; series have a handful of labels.
    size_t pos = scratch_ids_.size();
    bool repeated = false;
    while (pos > 0) {
      std::string_view before = PairName(scratch_ids_[pos - 1]);
      if (before == l.name) {
        repeated = true;
        break;
      }
      if (before < l.name) break;
      --pos;
    }
    if (repeated) continue;
    scratch_ids_.insert(scratch_ids_.begin() + static_cast<std::ptrdiff_t>(pos), Intern(l));
  }
  FamilyData& f = *current_;
  if (f.series.find(std::span<const uint32_t>(scratch_ids_)) != f.series.end()) {
    ++duplicates_dropped_;
    return;
  }
  const auto begin = static_cast<uint32_t>(f.ids.size());
  f.ids.insert(f.ids.end(), scratch_ids_.begin(), scratch_ids_.end());
  f.samples.push_back(FamilyData::Rec{begin, static_cast<uint32_t>(scratch_ids_.size()), value});
  f.series.insert(static_cast<uint32_t>(f.samples.size() - 1));
  ++num_samples_;
}

void Snapshot::Seal() {
  order_.clear();
  for (uint32_t i = 0; i < families_.size(); ++i) {
    if (!families_[i]->samples.empty()) order_.push_back(i);
  }
  std::sort(order_.begin(), order_.end(),
            [this](uint32_t a, uint32_t b) { return families_[a]->name < families_[b]->name; });
  current_ = nullptr;
}

void Snapshot::RenderFamily(const FamilyData& f, Format format, std::string* out) const {
  exposition::TextWriter w(format, out);
  const bool om = format == Format::kOpenMetrics;
  const std::string& meta_name = om ? f.om_name : f.name;
  w.Type(meta_name, om ? f.om_type : f.type);
  if (om && f.om_unit) w.Unit(meta_name, f.unit);
  if (!f.help.empty()) w.Help(meta_name, f.help);
  std::vector<Label> labels;
  for (uint32_t i = 0; i < f.samples.size(); ++i) {
    const FamilyData::Rec& r = f.samples[i];
    if (f.legacy_name) {
      // The fast path: the name and pre-rendered pairs are copied as they are.
      out->append(f.name);
      if (r.count > 0) {
        out->push_back('{');
        for (uint32_t k = 0; k < r.count; ++k) {
          if (k > 0) out->push_back(',');
          out->append(PairText(f.ids[r.begin + k]));
        }
        out->push_back('}');
      }
      out->push_back(' ');
      exposition::AppendValue(r.value, out);
      out->push_back('\n');
    } else {
      // A local list: several scrapes may render one snapshot at once.
      labels.clear();
      for (uint32_t k = 0; k < r.count; ++k) {
        const uint32_t id = f.ids[r.begin + k];
        labels.push_back(Label{PairName(id), PairValue(id)});
      }
      w.Sample(f.name, labels, r.value);
    }
  }
}

void Snapshot::Render(Format format, std::string* out) const {
  size_t next = 0;
  while (RenderSome(format, SIZE_MAX, &next, out)) {
  }
}

bool Snapshot::RenderSome(Format format, size_t min_bytes, size_t* next_family, std::string* out) const {
  while (*next_family < order_.size()) {
    RenderFamily(*families_[order_[*next_family]], format, out);
    ++*next_family;
    if (out->size() >= min_bytes && *next_family < order_.size()) return true;
  }
  if (*next_family == order_.size()) {
    exposition::TextWriter(format, out).Eof();
    ++*next_family;  // Past the end: the end marker is written once.
  }
  return false;
}

void Snapshot::ForEachSample(absl::FunctionRef<void(std::span<const Label>, double)> fn) const {
  std::vector<Label>& labels = scratch_labels_;
  for (uint32_t i : order_) {
    const FamilyData& f = *families_[i];
    for (uint32_t s = 0; s < f.samples.size(); ++s) {
      const FamilyData::Rec& r = f.samples[s];
      labels.clear();
      bool named = false;
      for (uint32_t k = 0; k < r.count; ++k) {
        const uint32_t id = f.ids[r.begin + k];
        std::string_view name = PairName(id);
        if (!named && name > kMetricNameLabel) {
          labels.push_back(Label{kMetricNameLabel, f.name});
          named = true;
        }
        labels.push_back(Label{name, PairValue(id)});
      }
      if (!named) labels.push_back(Label{kMetricNameLabel, f.name});
      fn(labels, r.value);
    }
  }
}

void Snapshot::ForEachFamily(absl::FunctionRef<void(const FamilyInfo&)> fn) const {
  for (uint32_t i : order_) {
    const FamilyData& f = *families_[i];
    fn(FamilyInfo{f.name, f.type, f.help, f.unit, f.samples.size()});
  }
}

size_t Snapshot::MemoryBytes() const {
  size_t bytes = sizeof(*this) + raw_.capacity() + text_.capacity() + pairs_.capacity() * sizeof(Pair) +
                 pair_index_.capacity() * (sizeof(uint32_t) + 1) + order_.capacity() * sizeof(uint32_t);
  for (const auto& f : families_) {
    bytes += sizeof(FamilyData) + f->name.capacity() + f->help.capacity() + f->om_name.capacity() +
             f->ids.capacity() * sizeof(uint32_t) + f->samples.capacity() * sizeof(FamilyData::Rec) +
             f->series.capacity() * (sizeof(uint32_t) + 1);
  }
  return bytes;
}

}  // namespace vigil::agent
