#!/bin/sh
# Measures vigil-agent tailing and shipping container logs (issue 6): writes MB megabytes (default 256) of
# generated CRI logs (JSON app logs, access logs, stack traces; agent/bench/gen_cri_logs.py) into FILES pod log
# files, starts vigil-store and vigil-agent shipping to it, and waits until the agent's positions file says
# everything was acknowledged. Prints the agent's CPU time and MB/s of log text per CPU second, its RSS and peak,
# and the store's CPU for the same ingest. docs/benchmarks.md has results.
#
#   agent/bench/agent_logs.sh [bazel output base]
set -eu
cd "$(dirname "$0")/../.."
OB=${1:-/root/.cache/vigil/ob-agent}
MB=${MB:-256}
FILES=${FILES:-16}
bazel --output_base="$OB" build -c opt --symlink_prefix=/ //agent:vigil-agent //server:vigil-store >/dev/null 2>&1
BIN=$(bazel --output_base="$OB" info -c opt bazel-bin 2>/dev/null)
DIR=$(mktemp -d /tmp/vigil-logbench.XXXXXX)
SPORT=${SPORT:-19281}
APORT=$((SPORT + 1))
trap 'kill $APID $SPID 2>/dev/null; wait 2>/dev/null; rm -rf "$DIR"' EXIT
python3 agent/bench/gen_cri_logs.py "$DIR/pods" "$MB" "$FILES"
TOTAL=$(find "$DIR/pods" -name '*.log' -printf '%s\n' | awk '{s+=$1} END{print s}')
"$BIN/server/vigil-store" --storage.tsdb.path="$DIR/store" --web.listen-address=127.0.0.1:$SPORT --log.level=warn &
SPID=$!
for i in $(seq 1 100); do curl -sf http://127.0.0.1:$SPORT/-/ready >/dev/null && break; sleep 0.1; done
S0=$(awk '{print $14+$15}' /proc/$SPID/stat)
START=$(date +%s.%N)
"$BIN/agent/vigil-agent" --web.listen-address=127.0.0.1:$APORT --no-collector.cgroup --collection.interval=5s \
  --path.pod-logs="$DIR/pods" --logs.url=http://127.0.0.1:$SPORT/loki/api/v1/push \
  --logs.positions-file="$DIR/positions" --queue.dir="$DIR/queue" --node.name=bench --log.level=warn &
APID=$!
while :; do
  ACKED=$(awk 'NR>1 {s+=$5} END{print s+0}' "$DIR/positions" 2>/dev/null || echo 0)
  [ "$ACKED" -ge "$TOTAL" ] && break
  sleep 0.2
done
END=$(date +%s.%N)
TICKS=$(getconf CLK_TCK)
A=$(awk '{print $14+$15}' /proc/$APID/stat)
S1=$(awk '{print $14+$15}' /proc/$SPID/stat)
grep -E "VmRSS|VmHWM|RssAnon|RssFile" /proc/$APID/status
awk -v t="$TOTAL" -v a="$A" -v s="$((S1 - S0))" -v hz="$TICKS" -v s0="$START" -v e="$END" 'BEGIN {
  printf "log text: %.1f MB; wall %.2f s\n", t/1e6, e-s0;
  printf "agent CPU: %.2f s -> %.1f MB/s of log text per CPU second\n", a/hz, t/1e6/(a/hz);
  printf "store CPU: %.2f s -> %.1f MB/s per CPU second (push decode, index, compress, persist)\n", s/hz, t/1e6/(s/hz) }'
du -sb "$DIR/store" | awk -v t="$TOTAL" '{printf "store directory: %.1f MB (%.3f of the log text, WAL included)\n", $1/1e6, $1/t}'
