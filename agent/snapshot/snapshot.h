// One collection cycle of the agent: every collector writes into a Snapshot (it is the MetricSink), and the
// scrape target renders it, while the remote_write shipper reads it as samples.
//
//   Snapshot* s = ...;                        // reused cycle after cycle: Reset keeps its memory
//   s->Reset(cycle_ms);
//   for (Collector* c : collectors) c->Collect(s);
//   s->Seal();                                // families sorted by name; ready to read
//   s->Render(exposition::Format::kOpenMetrics, &body);
//   s->ForEachSample([&](std::span<const Label> series, double v) { builder.Add(series, v, s->timestamp()); });
//
// Storage is compact: every distinct label pair of a cycle (name and value) is stored once, with its rendered
// form `name="escaped value"` beside it, and a sample is a range of pair ids plus its value. Container labels
// (id, pod, namespace, image, ...) repeat across dozens of families, so a 300-container snapshot takes a few
// hundred kilobytes, and rendering is mostly copying pre-escaped text.
//
// Families of one name started several times in a cycle are merged into one; a repeated series (same name and
// labels) in one cycle keeps its first value and is counted in duplicates_dropped(), because an exposition with
// a series twice is invalid. Labels with an empty value and a "__name__" label are dropped; a sample's labels
// are sorted by name, and when a name occurs twice in one sample the first value is kept.
#ifndef VIGIL_AGENT_SNAPSHOT_SNAPSHOT_H_
#define VIGIL_AGENT_SNAPSHOT_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "agent/collector/collector.h"
#include "model/labels.h"
#include "model/sample.h"
#include "wire/exposition/format.h"

namespace vigil::agent {

class Snapshot final : public MetricSink {
 public:
  Snapshot();
  ~Snapshot() override;
  // Internal indexes point into the object, so it stays where it was created.
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  // MetricSink. Samples written before the first Family() call of a cycle are dropped and counted in
  // orphan_samples_dropped() (a collector bug).
  void Family(std::string_view name, exposition::MetricType type, std::string_view help,
              std::string_view unit = {}) override;
  void Sample(std::span<const Label> labels, double value) override;

  // Starts a new cycle stamped `timestamp`: drops every sample but keeps the memory, so a steady-state cycle
  // allocates (almost) nothing. Families that had no sample in the cycle being dropped are forgotten.
  void Reset(TimestampMs timestamp);

  // Ends the cycle: orders the families by name for rendering. Call once after the last collector; reading
  // (Render, ForEach*) is valid only on a sealed snapshot, writing only on an unsealed one.
  void Seal();

  // The cycle time given to Reset (remote_write sample timestamps).
  TimestampMs timestamp() const { return timestamp_; }
  // Samples kept this cycle (duplicates excluded).
  size_t num_samples() const { return num_samples_; }
  // Families with at least one sample this cycle.
  size_t num_families() const { return order_.size(); }
  // Samples dropped this cycle because their series had already been written.
  size_t duplicates_dropped() const { return duplicates_dropped_; }
  // Samples dropped this cycle because no family had been started.
  size_t orphan_samples_dropped() const { return orphans_dropped_; }
  // Approximate heap bytes held (capacity, not size), for the agent's own memory accounting.
  size_t MemoryBytes() const;

  // Appends the sealed snapshot in `format` to *out, without timestamps (the scraper stamps samples with its
  // scrape time, so staleness handling works as for any target). Families appear sorted by name, each with HELP
  // and TYPE lines (and UNIT in OpenMetrics when it is a suffix of the family name); OpenMetrics ends with
  // "# EOF". In OpenMetrics a counter whose name ends in "_total" is the family without the suffix, and an info
  // family's samples end in "_info"; a counter or info family whose name lacks that suffix is written with type
  // "unknown" so that its series keep the same name in both formats. Histograms, gauge histograms and summaries
  // cannot be expressed through MetricSink (every sample has the family's name) and are written "untyped" /
  // "unknown".
  void Render(exposition::Format format, std::string* out) const;

  // Renders the page piece by piece, for a response streamed as it is produced: appends whole families from
  // *next_family on until *out holds at least `min_bytes` (or the page ends, then with the format's end), advances
  // *next_family, and returns whether more remain. Start with *next_family = 0. Pieces concatenated equal Render.
  bool RenderSome(exposition::Format format, size_t min_bytes, size_t* next_family, std::string* out) const;

  // Calls `fn` for every sample of the sealed snapshot with its complete label set: "__name__" and the labels,
  // sorted by name as remote_write requires. The span is valid only during the call.
  void ForEachSample(absl::FunctionRef<void(std::span<const Label> series, double value)> fn) const;

  // A family's metadata as a collector declared it.
  struct FamilyInfo {
    std::string_view name;  // the sample name, e.g. "node_cpu_seconds_total"
    exposition::MetricType type = exposition::MetricType::kUnknown;
    std::string_view help;
    std::string_view unit;
    size_t num_samples = 0;
  };
  // Calls `fn` for every family with samples, in name order (remote_write metadata, tests).
  void ForEachFamily(absl::FunctionRef<void(const FamilyInfo&)> fn) const;

 private:
  // One distinct label pair of the cycle.
  struct Pair {
    uint32_t raw_begin;  // name then value, in raw_
    uint32_t name_size;
    uint32_t value_size;
    uint32_t text_begin;  // `name="escaped value"` in text_
    uint32_t text_size;
  };
  // Looks pairs up by their id or by (name, value) views, hashing what raw_ holds.
  struct PairKey {
    std::string_view name;
    std::string_view value;
  };
  struct PairHash {
    using is_transparent = void;
    const Snapshot* snapshot;
    size_t operator()(uint32_t id) const;
    size_t operator()(const PairKey& key) const;
  };
  struct PairEq {
    using is_transparent = void;
    const Snapshot* snapshot;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(const PairKey& a, uint32_t b) const;
    bool operator()(uint32_t a, const PairKey& b) const { return (*this)(b, a); }
  };
  struct FamilyData;

  uint32_t Intern(const Label& label);
  std::string_view PairName(uint32_t id) const { return {raw_.data() + pairs_[id].raw_begin, pairs_[id].name_size}; }
  std::string_view PairValue(uint32_t id) const {
    const Pair& p = pairs_[id];
    return {raw_.data() + p.raw_begin + p.name_size, p.value_size};
  }
  std::string_view PairText(uint32_t id) const { return {text_.data() + pairs_[id].text_begin, pairs_[id].text_size}; }
  void RenderFamily(const FamilyData& family, exposition::Format format, std::string* out) const;

  TimestampMs timestamp_ = 0;
  size_t num_samples_ = 0;
  size_t duplicates_dropped_ = 0;
  size_t orphans_dropped_ = 0;

  std::string raw_;
  std::string text_;
  std::vector<Pair> pairs_;
  absl::flat_hash_set<uint32_t, PairHash, PairEq> pair_index_;

  std::vector<std::unique_ptr<FamilyData>> families_;
  absl::flat_hash_map<std::string, uint32_t> family_index_;
  FamilyData* current_ = nullptr;
  std::vector<uint32_t> order_;  // families with samples, by name; filled by Seal

  std::vector<uint32_t> scratch_ids_;
  std::string scratch_text_;
  mutable std::vector<Label> scratch_labels_;
};

}  // namespace vigil::agent

#endif  // VIGIL_AGENT_SNAPSHOT_SNAPSHOT_H_
