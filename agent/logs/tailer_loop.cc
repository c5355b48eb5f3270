#include "agent/logs/tailer_loop.h"

#include <utility>

namespace vigil::agent::logs {

TailerLoop::TailerLoop(Tailer* tailer, Clock* clock, absl::Duration poll_interval, std::function<void(LogBatch)> sink)
    : tailer_(tailer), clock_(clock), poll_interval_(poll_interval), sink_(std::move(sink)) {}

TailerLoop::~TailerLoop() { Stop(); }

void TailerLoop::Start() {
  thread_ = std::thread([this] {
    while (!stop_.HasBeenNotified()) {
      if (!RunOnce()) clock_->SleepFor(poll_interval_, &stop_);
    }
  });
}

void TailerLoop::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

bool TailerLoop::RunOnce() {
  LogBatch batch = tailer_->Poll();
  if (batch.empty()) return false;
  sink_(std::move(batch));
  return true;
}

}  // namespace vigil::agent::logs
