#include "tsdb/head/series_iterator.h"

#include <algorithm>
#include <utility>

#include "base/status/status_macros.h"

namespace vigil::tsdb {

HeadSeriesIterator::HeadSeriesIterator(std::shared_ptr<const SeriesSnapshot> snapshot, TimestampMs mint,
                                       TimestampMs maxt)
    : snapshot_(std::move(snapshot)), mint_(mint), maxt_(maxt) {
  const SeriesSnapshot& s = *snapshot_;
  cursors_.reserve(s.chunks.size() + 2);
  for (const HeadChunkPtr& chunk : s.chunks) {
    if (chunk->max_time < mint || chunk->min_time > maxt) continue;
    Cursor& c = cursors_.emplace_back();
    c.min_time = chunk->min_time;
    c.chunk = chunk.get();
  }
  if (s.open_count > 0 && s.open_max_time >= mint && s.open_min_time <= maxt) {
    Cursor& c = cursors_.emplace_back();
    c.min_time = s.open_min_time;
    c.is_open = true;
    c.open = OpenChunkReader(s.open_bytes, s.open_min_time, s.open_count);
  }
  if (!s.out_of_order.empty()) {
    Cursor& c = cursors_.emplace_back();
    c.min_time = s.out_of_order.front().t;
    c.vec = &s.out_of_order;
  }
  std::stable_sort(cursors_.begin(), cursors_.end(),
                   [](const Cursor& a, const Cursor& b) { return a.min_time < b.min_time; });
}

bool HeadSeriesIterator::SeekCursor(Cursor& c, TimestampMs floor) {
  if (c.started && (!c.valid || c.cur.t >= floor)) return true;
  if (!c.started) {
    c.started = true;
    if (c.chunk != nullptr) c.chunk_it.emplace(c.chunk->data);
  }
  if (c.chunk != nullptr) {
    c.valid = c.chunk_it->Seek(floor);
    if (c.valid) {
      c.cur = c.chunk_it->At();
    } else if (!c.chunk_it->Err().ok()) {
      err_ = Annotate(c.chunk_it->Err(), "head chunk");
      return false;
    }
    return true;
  }
  if (c.is_open) {
    c.valid = false;
    while (c.open.Next()) {
      if (c.open.At().t >= floor) {
        c.cur = c.open.At();
        c.valid = true;
        break;
      }
    }
    return true;
  }
  const std::vector<Sample>& v = *c.vec;
  while (c.vec_pos < v.size() && v[c.vec_pos].t < floor) ++c.vec_pos;
  c.valid = c.vec_pos < v.size();
  if (c.valid) c.cur = v[c.vec_pos];
  return true;
}

bool HeadSeriesIterator::Advance(TimestampMs floor) {
  Cursor* best = nullptr;
  for (size_t i = first_live_; i < cursors_.size(); ++i) {
    Cursor& c = cursors_[i];
    // Sources are sorted by first timestamp and opened in that order: one starting after the best candidate
    // cannot hold the next sample, nor can any after it.
    if (!c.started && best != nullptr && c.min_time > best->cur.t) break;
    if (!SeekCursor(c, floor)) {
      done_ = true;
      return false;
    }
    if (!c.valid) {
      if (i == first_live_) ++first_live_;
      continue;
    }
    if (best == nullptr || c.cur.t < best->cur.t) best = &c;
  }
  if (best == nullptr || best->cur.t > maxt_) {
    done_ = true;
    return false;
  }
  cur_ = best->cur;
  return true;
}

bool HeadSeriesIterator::NextSample() {
  if (done_) return false;
  if (started_ && cur_.t == kMaxTimestampMs) {
    done_ = true;
    return false;
  }
  const TimestampMs floor = started_ ? cur_.t + 1 : mint_;
  started_ = true;
  return Advance(floor);
}

bool HeadSeriesIterator::Seek(TimestampMs t) {
  if (done_) return false;
  if (started_ && cur_.t >= t) return true;
  started_ = true;
  return Advance(std::max(t, mint_));
}

HeadSeriesIterator::Cursor* HeadSeriesIterator::SoleSource() {
  Cursor* sole = nullptr;
  for (size_t i = first_live_; i < cursors_.size(); ++i) {
    Cursor& c = cursors_[i];
    if (c.started) {
      if (!c.valid) continue;
      if (sole != nullptr) return nullptr;
      sole = &c;
      continue;
    }
    // Sources are sorted by first timestamp: the first unopened one decides whether the sole open one may run.
    if (sole == nullptr) return nullptr;
    TimestampMs end = 0;
    if (sole->chunk != nullptr) {
      end = sole->chunk->max_time;
    } else if (sole->is_open) {
      end = snapshot_->open_max_time;
    } else {
      end = sole->vec->back().t;
    }
    return c.min_time > end ? sole : nullptr;
  }
  return sole;
}

bool HeadSeriesIterator::Drain(Cursor& c, TimestampMs maxt, std::vector<Sample>* out) {
  if (c.chunk != nullptr) {
    // A closed chunk decodes its run of samples straight into `out`.
    const size_t before = out->size();
    if (c.chunk_it->AppendUntil(maxt, out)) {  // Stopped on a sample past maxt: now current.
      c.cur = c.chunk_it->At();
      cur_ = c.cur;
      if (cur_.t > maxt_) done_ = true;
      return false;
    }
    if (out->size() > before) cur_ = out->back();
    if (!c.chunk_it->Err().ok()) {
      err_ = Annotate(c.chunk_it->Err(), "head chunk");
      done_ = true;
      return false;
    }
    c.valid = false;
    return true;  // cur_ (the last sample appended) stays; NextSample moves on to the next source.
  }
  for (;;) {
    bool more = false;
    if (c.is_open) {
      more = c.open.Next();
      if (more) c.cur = c.open.At();
    } else {
      more = ++c.vec_pos < c.vec->size();
      if (more) c.cur = (*c.vec)[c.vec_pos];
    }
    if (!more) {
      c.valid = false;
      return true;  // cur_ (the last sample appended) stays; NextSample moves on to the next source.
    }
    cur_ = c.cur;
    if (cur_.t > maxt) {
      if (cur_.t > maxt_) done_ = true;
      return false;
    }
    out->push_back(cur_);
  }
}

absl::Status HeadSeriesIterator::AppendRange(TimestampMs mint, TimestampMs maxt, std::vector<Sample>* out) {
  if (!Seek(mint)) return err_;
  do {
    if (cur_.t > maxt) break;
    out->push_back(cur_);
    // Usually one chunk alone holds the next samples: decode it straight into `out` without the merge.
    if (Cursor* sole = SoleSource(); sole != nullptr && sole->cur.t == cur_.t) {
      if (!Drain(*sole, std::min(maxt, maxt_), out)) break;
    }
  } while (NextSample());
  return err_;
}

}  // namespace vigil::tsdb
