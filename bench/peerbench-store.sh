#!/usr/bin/env bash
# Side-by-side benchmark of vigil-store and Debian's Prometheus 2.42 with the shared peerbench harness
# (../shared/tools/peerbench, see its README): same generated node_exporter fleet, same machine, same run.
#
#   bench/peerbench-store.sh                         # ingest + compress phases
#   PHASES="ingest" CONCURRENCIES=2 bench/peerbench-store.sh
#
# Builds vigil-store (opt) first. Results: the harness prints its results file; docs/benchmarks.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PEERBENCH_SRC=${PEERBENCH_SRC:-$ROOT/../shared/tools/peerbench}
PORT=${VIGIL_BENCH_PORT:-19091}

DISK_CACHE="${VIGIL_BAZEL_DISK_CACHE:-$HOME/.cache/vigil/bazel-disk}"
bazel build --disk_cache="$DISK_CACHE" //server:vigil-store >&2
BIN_DIR=$(mktemp -d /tmp/vigil-bench-bin.XXXXXX)
cp bazel-bin/server/vigil-store "$BIN_DIR/"
export VIGIL_STORE="$BIN_DIR/vigil-store" VIGIL_PORT="$PORT"

# The harness builds into its own folder; work on a copy so the shared folder stays untouched.
PB=$(mktemp -d /tmp/peerbench-src.XXXXXX)
cp -r "$PEERBENCH_SRC"/. "$PB"/
make -s -C "$PB" >&2

# A fresh store on $DATA_DIR (the harness starts one per ingest run and measures its PID).
export STORE_START='"$VIGIL_STORE" --storage.tsdb.path="$DATA_DIR" --web.listen-address=127.0.0.1:$VIGIL_PORT --log.level=warn'
# Bytes per sample: stream (-T, not --data-binary, which reads the whole file into memory) the 2-hour
# OpenMetrics file into an empty store, stop it gracefully (the head is
# flushed to partitions), and let the harness count the directory.
export STORE_COMPRESS_CMD='
  "$VIGIL_STORE" --storage.tsdb.path="$OUT_DIR" --web.listen-address=127.0.0.1:$VIGIL_PORT --log.level=warn &
  pid=$!
  for i in $(seq 1 600); do curl -sf http://127.0.0.1:$VIGIL_PORT/-/ready >/dev/null && break; sleep 0.1; done
  curl -sf -X POST -T "$OM_FILE" -H "Content-Type: application/openmetrics-text; version=1.0.0" \
       http://127.0.0.1:$VIGIL_PORT/api/v1/import >&2
  kill -TERM $pid; wait $pid'
export WITH_PROMETHEUS=${WITH_PROMETHEUS:-1}
export PHASES=${PHASES:-"compress ingest"}
exec "$PB/run-baseline.sh" "http://127.0.0.1:$PORT"
