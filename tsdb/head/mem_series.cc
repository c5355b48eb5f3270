#include "tsdb/head/mem_series.h"

#include <algorithm>
#include <bit>
#include <span>

#include "base/log/log.h"
#include "tsdb/chunk/chunk_appender.h"
#include "tsdb/chunk/chunk_iterator.h"

namespace vigil::tsdb {
namespace {

// Encoder and decode buffers for cutting chunks. A ChunkEncoder keeps scratch sized to the largest chunk it
// encoded, so one per thread (not one per series) keeps that cost independent of the number of series.
struct CutScratch {
  ChunkEncoder encoder;
  std::vector<int64_t> ts;
  std::vector<double> vs;
};

CutScratch& Scratch() {
  thread_local CutScratch scratch;
  return scratch;
}

}  // namespace

AppendVerdict MemSeries::Classify(TimestampMs t, uint64_t bits, TimestampMs newest_t, uint64_t newest_bits,
                                  const SeriesOptions& opts, TimestampMs min_valid_time, uint64_t* existing) const {
  if (t < min_valid_time) return AppendVerdict::kRejectOutOfBounds;
  if (newest_t == kMinTimestampMs || t > newest_t) return AppendVerdict::kInOrder;
  if (t == newest_t) {
    *existing = newest_bits;
    return bits == newest_bits ? AppendVerdict::kDuplicateIgnored : AppendVerdict::kRejectDuplicate;
  }
  // t < newest_t; the difference is computed unsigned so that it cannot overflow.
  const uint64_t age = static_cast<uint64_t>(newest_t) - static_cast<uint64_t>(t);
  if (opts.out_of_order_window_ms <= 0 || age > static_cast<uint64_t>(opts.out_of_order_window_ms)) {
    return AppendVerdict::kRejectOutOfOrder;
  }
  uint64_t found;
  if (FindSample(t, &found)) {
    *existing = found;
    return bits == found ? AppendVerdict::kDuplicateIgnored : AppendVerdict::kRejectDuplicate;
  }
  return AppendVerdict::kOutOfOrder;
}

AppendVerdict MemSeries::Append(TimestampMs t, double v, const SeriesOptions& opts, TimestampMs min_valid_time) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  uint64_t existing = 0;
  const AppendVerdict verdict = Classify(t, bits, newest_t_, newest_bits_, opts, min_valid_time, &existing);
  if (verdict == AppendVerdict::kInOrder) {
    if (!open_.empty() &&
        (open_.num_samples() >= opts.samples_per_chunk ||
         ChunkRangeIndex(t, opts.chunk_range_ms) != ChunkRangeIndex(open_.min_time(), opts.chunk_range_ms))) {
      CutOpen();
    }
    open_.Append(t, v);
    newest_t_ = t;
    newest_bits_ = bits;
  } else if (verdict == AppendVerdict::kOutOfOrder) {
    if (ooo_ == nullptr) ooo_ = std::make_unique<std::vector<Sample>>();
    auto it = std::lower_bound(ooo_->begin(), ooo_->end(), t, [](const Sample& s, TimestampMs x) { return s.t < x; });
    ooo_->insert(it, Sample{t, v});
    if (ooo_->size() >= opts.out_of_order_capacity) CutOutOfOrder(ooo_->size(), opts);
  }
  return verdict;
}

void MemSeries::AddChunk(const int64_t* ts, const double* vs, size_t n, bool out_of_order) {
  auto chunk = std::make_shared<HeadChunk>();
  chunk->min_time = ts[0];
  chunk->max_time = ts[n - 1];
  chunk->num_samples = static_cast<uint32_t>(n);
  chunk->out_of_order = out_of_order;
  absl::Status status =
      Scratch().encoder.Encode(std::span<const int64_t>(ts, n), std::span<const double>(vs, n), &chunk->data);
  if (!status.ok()) {
    // Cannot happen: samples are strictly increasing and a chunk never exceeds kMaxChunkSamples. Keep going
    // rather than crash, but say loudly that samples were dropped.
    log::Error("head: dropping a chunk that failed to encode",
               {{"series_ref", ref_}, {"samples", static_cast<uint64_t>(n)}, {"err", status}});
    return;
  }
  chunk->data.shrink_to_fit();
  chunk_bytes_ += chunk->MemoryBytes();
  auto pos = std::upper_bound(chunks_.begin(), chunks_.end(), chunk->min_time,
                              [](TimestampMs x, const HeadChunkPtr& c) { return x < c->min_time; });
  chunks_.insert(pos, std::move(chunk));
}

void MemSeries::CutOpen() {
  CutScratch& s = Scratch();
  open_.Decode(&s.ts, &s.vs);
  if (!s.ts.empty()) AddChunk(s.ts.data(), s.vs.data(), s.ts.size(), /*out_of_order=*/false);
  open_.Clear();
}

void MemSeries::CutOutOfOrder(size_t n, const SeriesOptions& opts) {
  CutScratch& s = Scratch();
  const std::vector<Sample>& buf = *ooo_;
  size_t begin = 0;
  while (begin < n) {
    const int64_t range = ChunkRangeIndex(buf[begin].t, opts.chunk_range_ms);
    size_t end = begin;
    s.ts.clear();
    s.vs.clear();
    while (end < n && ChunkRangeIndex(buf[end].t, opts.chunk_range_ms) == range && s.ts.size() < kMaxChunkSamples) {
      s.ts.push_back(buf[end].t);
      s.vs.push_back(buf[end].v);
      ++end;
    }
    AddChunk(s.ts.data(), s.vs.data(), s.ts.size(), /*out_of_order=*/true);
    begin = end;
  }
  ooo_->erase(ooo_->begin(), ooo_->begin() + static_cast<std::ptrdiff_t>(n));
  if (ooo_->empty()) ooo_.reset();
}

bool MemSeries::FindSample(TimestampMs t, uint64_t* bits) const {
  if (ooo_ != nullptr) {
    auto it = std::lower_bound(ooo_->begin(), ooo_->end(), t, [](const Sample& s, TimestampMs x) { return s.t < x; });
    if (it != ooo_->end() && it->t == t) {
      *bits = std::bit_cast<uint64_t>(it->v);
      return true;
    }
  }
  if (!open_.empty() && t >= open_.min_time() && t <= open_.max_time()) {
    OpenChunkReader r(open_.bytes(), open_.min_time(), open_.num_samples());
    while (r.Next()) {
      if (r.At().t > t) break;
      if (r.At().t == t) {
        *bits = std::bit_cast<uint64_t>(r.At().v);
        return true;
      }
    }
  }
  for (const HeadChunkPtr& c : chunks_) {
    if (t < c->min_time || t > c->max_time) continue;
    ChunkIterator it(c->data);
    if (it.Seek(t) && it.At().t == t) {
      *bits = std::bit_cast<uint64_t>(it.At().v);
      return true;
    }
  }
  return false;
}

bool MemSeries::Overlaps(TimestampMs mint, TimestampMs maxt) const {
  if (!open_.empty() && open_.min_time() <= maxt && open_.max_time() >= mint) return true;
  for (const HeadChunkPtr& c : chunks_) {
    if (c->min_time <= maxt && c->max_time >= mint) return true;
  }
  if (ooo_ != nullptr) {
    auto it =
        std::lower_bound(ooo_->begin(), ooo_->end(), mint, [](const Sample& s, TimestampMs x) { return s.t < x; });
    if (it != ooo_->end() && it->t <= maxt) return true;
  }
  return false;
}

TimestampMs MemSeries::MinTime() const {
  TimestampMs t = kMaxTimestampMs;
  if (!chunks_.empty()) t = chunks_.front()->min_time;
  if (!open_.empty()) t = std::min(t, open_.min_time());
  if (ooo_ != nullptr && !ooo_->empty()) t = std::min(t, ooo_->front().t);
  return t;
}

TimestampMs MemSeries::MaxTime() const {
  TimestampMs t = kMinTimestampMs;
  for (const HeadChunkPtr& c : chunks_) t = std::max(t, c->max_time);
  if (!open_.empty()) t = std::max(t, open_.max_time());
  if (ooo_ != nullptr && !ooo_->empty()) t = std::max(t, ooo_->back().t);
  return t;
}

SeriesSnapshot MemSeries::Snapshot(TimestampMs mint, TimestampMs maxt) const {
  SeriesSnapshot s;
  for (const HeadChunkPtr& c : chunks_) {
    if (c->min_time <= maxt && c->max_time >= mint) s.chunks.push_back(c);
  }
  if (!open_.empty() && open_.min_time() <= maxt && open_.max_time() >= mint) {
    s.open_bytes.assign(open_.bytes());
    s.open_min_time = open_.min_time();
    s.open_max_time = open_.max_time();
    s.open_count = open_.num_samples();
  }
  if (ooo_ != nullptr) {
    auto lo =
        std::lower_bound(ooo_->begin(), ooo_->end(), mint, [](const Sample& x, TimestampMs t) { return x.t < t; });
    auto hi = std::upper_bound(lo, ooo_->end(), maxt, [](TimestampMs t, const Sample& x) { return t < x.t; });
    s.out_of_order.assign(lo, hi);
  }
  return s;
}

void MemSeries::CloseBefore(TimestampMs t, const SeriesOptions& opts) {
  if (!open_.empty() && open_.max_time() < t) CutOpen();
  if (ooo_ != nullptr) {
    auto it = std::lower_bound(ooo_->begin(), ooo_->end(), t, [](const Sample& s, TimestampMs x) { return s.t < x; });
    const size_t n = static_cast<size_t>(it - ooo_->begin());
    if (n > 0) CutOutOfOrder(n, opts);
  }
}

void MemSeries::ChunksBefore(TimestampMs t, std::vector<HeadChunkPtr>* out) const {
  for (const HeadChunkPtr& c : chunks_) {
    if (c->max_time < t) out->push_back(c);
  }
}

size_t MemSeries::TruncateBefore(TimestampMs t) {
  size_t dropped = 0;
  auto keep = std::remove_if(chunks_.begin(), chunks_.end(), [&](const HeadChunkPtr& c) {
    if (c->max_time >= t) return false;
    chunk_bytes_ -= c->MemoryBytes();
    ++dropped;
    return true;
  });
  chunks_.erase(keep, chunks_.end());
  if (chunks_.empty()) chunks_.shrink_to_fit();
  return dropped;
}

size_t MemSeries::MemoryBytes() const {
  size_t bytes = sizeof(MemSeries) + 2 * labels_.size() * sizeof(uint32_t) + open_.HeapBytes() + chunk_bytes_ +
                 chunks_.capacity() * sizeof(HeadChunkPtr);
  if (ooo_ != nullptr) bytes += sizeof(*ooo_) + ooo_->capacity() * sizeof(Sample);
  return bytes;
}

}  // namespace vigil::tsdb
