// A SpanSink for tests: keeps what it is given, or fails with a set status.
#ifndef VIGIL_AGENT_RECEIVERS_FAKE_SPAN_SINK_H_
#define VIGIL_AGENT_RECEIVERS_FAKE_SPAN_SINK_H_

#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "agent/receivers/span_sink.h"

namespace vigil::receivers {

class FakeSpanSink final : public SpanSink {
 public:
  absl::Status Consume(std::vector<Span> spans) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!next_status_.ok()) return next_status_;
    for (Span& s : spans) spans_.push_back(std::move(s));
    return absl::OkStatus();
  }

  // Every later Consume fails with `status` (OK to accept again).
  void FailWith(absl::Status status) {
    absl::MutexLock lock(&mu_);
    next_status_ = std::move(status);
  }

  std::vector<Span> spans() const {
    absl::MutexLock lock(&mu_);
    return spans_;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<Span> spans_;
  int calls_ = 0;
  absl::Status next_status_;
};

}  // namespace vigil::receivers

#endif  // VIGIL_AGENT_RECEIVERS_FAKE_SPAN_SINK_H_
