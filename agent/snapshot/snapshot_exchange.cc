#include "agent/snapshot/snapshot_exchange.h"

#include <utility>

namespace vigil::agent {

std::shared_ptr<Snapshot> SnapshotExchange::AcquireForWrite(TimestampMs timestamp) {
  std::shared_ptr<Snapshot> out;
  {
    absl::MutexLock lock(&mu_);
    for (auto it = spares_.begin(); it != spares_.end(); ++it) {
      if (it->use_count() == 1) {
        out = std::move(*it);
        spares_.erase(it);
        break;
      }
    }
  }
  if (out == nullptr) out = std::make_shared<Snapshot>();
  // Outside the lock: Reset walks the snapshot's families.
  out->Reset(timestamp);
  return out;
}

void SnapshotExchange::Publish(std::shared_ptr<Snapshot> snapshot) {
  std::shared_ptr<Snapshot> freed;
  {
    absl::MutexLock lock(&mu_);
    if (latest_ != nullptr) spares_.push_back(std::move(latest_));
    latest_ = std::move(snapshot);
    if (spares_.size() > kMaxSpares) {
      freed = std::move(spares_.front());
      spares_.erase(spares_.begin());
    }
  }
  // `freed` (if a reader still holds it, the reader's copy) is destroyed outside the lock.
}

std::shared_ptr<const Snapshot> SnapshotExchange::Latest() const {
  absl::MutexLock lock(&mu_);
  return latest_;
}

size_t SnapshotExchange::pool_size() const {
  absl::MutexLock lock(&mu_);
  return spares_.size() + (latest_ != nullptr ? 1 : 0);
}

}  // namespace vigil::agent
