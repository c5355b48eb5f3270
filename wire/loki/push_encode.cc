#include "wire/loki/push_encode.h"

#include <vector>

#include "base/encoding/varint.h"
#include "snappy.h"
#include "wire/otlp/proto_writer.h"

namespace vigil::wire::loki {
namespace {

namespace proto = ::vigil::wire::otlp::proto;

// Field numbers of push.proto.
constexpr uint32_t kRequestStreams = 1;
constexpr uint32_t kStreamLabels = 1;
constexpr uint32_t kStreamEntries = 2;
constexpr uint32_t kEntryTimestamp = 1;
constexpr uint32_t kEntryLine = 2;
constexpr uint32_t kTimestampSeconds = 1;
constexpr uint32_t kTimestampNanos = 2;

struct SplitTime {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

SplitTime Split(int64_t ns) {
  SplitTime t;
  t.seconds = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    t.seconds -= 1;
  }
  t.nanos = static_cast<int32_t>(rem);
  return t;
}

size_t TimestampSize(SplitTime t) {
  // int64/int32 varints: negative values take 10 bytes, as protobuf writes them.
  return proto::OptVarint(kTimestampSeconds, static_cast<uint64_t>(t.seconds)) +
         proto::OptVarint(kTimestampNanos, static_cast<uint64_t>(static_cast<int64_t>(t.nanos)));
}

size_t EntrySize(const PushEntryRef& e) {
  // The timestamp message is always written (Loki requires it), even when it is the epoch.
  return proto::Delimited(kEntryTimestamp, TimestampSize(Split(e.timestamp_ns))) + proto::OptBytes(kEntryLine, e.line);
}

size_t StreamSize(const PushStreamRef& s) {
  size_t n = proto::OptBytes(kStreamLabels, s.labels);
  for (const PushEntryRef& e : s.entries) n += proto::Delimited(kStreamEntries, EntrySize(e));
  return n;
}

}  // namespace

void EncodePushRequest(std::span<const PushStreamRef> streams, std::string* out) {
  // Each message's size precedes it: compute every stream's once.
  std::vector<size_t> sizes(streams.size());
  size_t total = 0;
  for (size_t i = 0; i < streams.size(); ++i) {
    sizes[i] = StreamSize(streams[i]);
    total += proto::Delimited(kRequestStreams, sizes[i]);
  }
  out->reserve(out->size() + total);
  proto::Writer w(out);
  for (size_t i = 0; i < streams.size(); ++i) {
    const PushStreamRef& s = streams[i];
    w.Header(kRequestStreams, sizes[i]);
    w.OptBytes(kStreamLabels, s.labels);
    for (const PushEntryRef& e : s.entries) {
      w.Header(kStreamEntries, EntrySize(e));
      const SplitTime t = Split(e.timestamp_ns);
      w.Header(kEntryTimestamp, TimestampSize(t));
      w.OptVarint(kTimestampSeconds, static_cast<uint64_t>(t.seconds));
      w.OptVarint(kTimestampNanos, static_cast<uint64_t>(static_cast<int64_t>(t.nanos)));
      w.OptBytes(kEntryLine, e.line);
    }
  }
}

void EncodePushRequestSnappy(std::span<const PushStreamRef> streams, std::string* out, std::string* scratch) {
  std::string local;
  std::string* raw = scratch != nullptr ? scratch : &local;
  raw->clear();
  EncodePushRequest(streams, raw);
  out->clear();
  snappy::Compress(raw->data(), raw->size(), out);
}

}  // namespace vigil::wire::loki
