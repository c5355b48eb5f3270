// The RocksDB settings of the trace store's database, shared by vigil-store and the trace benchmarks so that what
// is measured is what runs.
#ifndef VIGIL_TSDB_TRACES_KV_OPTIONS_H_
#define VIGIL_TSDB_TRACES_KV_OPTIONS_H_

#include "tsdb/kv/rocksdb_kv_store.h"

namespace vigil::traces {

// Span records are stored as plain OTLP protobuf and compressed by RocksDB a block at a time: 64 KiB blocks of
// zstd hold many traces' spans, whose repeated attribute keys and resource values compress far better together
// than each trace alone. Flushes use LZ4, which costs a fifth of zstd's CPU: compaction rewrites those files into
// the last level, compressed with zstd, soon after.
inline kv::RocksKvOptions TraceKvOptions() {
  kv::RocksKvOptions o;
  o.compression = kv::Compression::kZstd;
  o.upper_level_compression = kv::Compression::kLz4;
  o.zstd_level = 3;
  o.block_bytes = 64 << 10;
  o.universal_compaction = true;
  o.write_buffer_bytes = 64 << 20;
  return o;
}

}  // namespace vigil::traces

#endif  // VIGIL_TSDB_TRACES_KV_OPTIONS_H_
