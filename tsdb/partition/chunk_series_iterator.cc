#include "tsdb/partition/chunk_series_iterator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tsdb/partition/partition_format.h"

namespace vigil::tsdb::partition {

void SortChunkRefs(std::vector<ChunkRef>* chunks) {
  std::stable_sort(chunks->begin(), chunks->end(), [](const ChunkRef& a, const ChunkRef& b) {
    if (a.min_time != b.min_time) return a.min_time < b.min_time;
    return a.priority < b.priority;
  });
}

ChunkSeriesIterator::ChunkSeriesIterator(std::shared_ptr<const void> owner, std::vector<ChunkRef> chunks,
                                         TimestampMs mint, TimestampMs maxt)
    : owner_(std::move(owner)), chunks_(std::move(chunks)), mint_(mint), maxt_(maxt) {
  active_.reserve(2);
  if (mint_ > maxt_) done_ = true;
}

bool ChunkSeriesIterator::Fail(const Cursor& c) {
  err_ = absl::Status(c.it.Err().code(),
                      absl::StrCat("partition ", NamespaceName(c.ref->partition_id), ", chunk with min time ",
                                   c.ref->min_time, ": ", c.it.Err().message()));
  done_ = true;
  active_.clear();
  return false;
}

bool ChunkSeriesIterator::Step(TimestampMs target) {
  if (done_) return false;
  if (target > maxt_) {
    done_ = true;
    active_.clear();
    return false;
  }
  // Bring every open chunk to >= target; drop the exhausted ones.
  for (size_t i = 0; i < active_.size();) {
    Cursor& c = active_[i];
    if (c.it.At().t < target && !c.it.Seek(target)) {
      if (!c.it.Err().ok()) return Fail(c);
      active_.erase(active_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    ++i;
  }
  for (;;) {
    // The best open candidate: smallest timestamp, then lowest priority.
    const Cursor* best = nullptr;
    for (const Cursor& c : active_) {
      if (best == nullptr || c.it.At().t < best->it.At().t ||
          (c.it.At().t == best->it.At().t && c.ref->priority < best->ref->priority)) {
        best = &c;
      }
    }
    // Open the next chunk if it may hold a sample at or before the best candidate.
    if (next_chunk_ < chunks_.size() && (best == nullptr || chunks_[next_chunk_].min_time <= best->it.At().t)) {
      const ChunkRef& ref = chunks_[next_chunk_++];
      if (ref.max_time < target || ref.min_time > maxt_) continue;
      Cursor c(ref);
      if (!c.it.Seek(target)) {
        if (!c.it.Err().ok()) return Fail(c);
        continue;
      }
      active_.push_back(std::move(c));
      continue;
    }
    if (best == nullptr || best->it.At().t > maxt_) {
      done_ = true;
      active_.clear();
      return false;
    }
    cur_ = best->it.At();
    return true;
  }
}

bool ChunkSeriesIterator::Next() {
  if (!started_) {
    started_ = true;
    return Step(mint_);
  }
  if (done_ || cur_.t == kMaxTimestampMs) {
    done_ = true;
    return false;
  }
  return Step(cur_.t + 1);
}

bool ChunkSeriesIterator::Seek(TimestampMs t) {
  if (started_ && !done_ && cur_.t >= t) return true;
  if (started_ && done_) return false;
  started_ = true;
  return Step(std::max(t, mint_));
}

absl::Status ChunkSeriesIterator::AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) {
  maxt = std::min(maxt, maxt_);
  if (!Seek(mint)) return err_;
  for (;;) {
    if (cur_.t > maxt) return err_;
    out->push_back(cur_);
    // Fast path: one open chunk and the next one starts after it ends, so its samples need no merging.
    if (active_.size() == 1 &&
        (next_chunk_ == chunks_.size() || chunks_[next_chunk_].min_time > active_[0].ref->max_time)) {
      ChunkIterator& it = active_[0].it;
      const bool more = it.AppendUntil(maxt, out);
      if (!it.Err().ok()) return (Fail(active_[0]), err_);
      if (more) {
        cur_ = it.At();  // Past maxt: stays current, as Seek/Next semantics require.
        if (cur_.t > maxt_) {
          done_ = true;
          active_.clear();
        }
        return err_;
      }
      cur_ = out->back();
      active_.clear();
    }
    if (!Next()) return err_;
  }
}

}  // namespace vigil::tsdb::partition
