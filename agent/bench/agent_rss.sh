#!/bin/sh
# Measures vigil-agent on a fake node with 300 containers (agent/bench/fake_k8s_host.py): RSS after a minute of
# 1 s cycles with scrapes in both formats, gzip and not, and the time to serve /metrics. docs/agent.md has
# results.
#
#   agent/bench/agent_rss.sh [bazel output base]
set -eu
cd "$(dirname "$0")/../.."
OB=${1:-/root/.cache/vigil/ob-agent}
bazel --output_base="$OB" build -c opt --symlink_prefix=/ //agent:vigil-agent >/dev/null 2>&1
BIN=$(bazel --output_base="$OB" info -c opt bazel-bin 2>/dev/null)/agent/vigil-agent
HOST=$(mktemp -d /tmp/vigil-fakehost.XXXXXX)
PORT=${PORT:-19177}
python3 agent/bench/fake_k8s_host.py "$HOST" 300
"$BIN" --web.listen-address=127.0.0.1:$PORT --collection.interval=1s --log.level=warn \
  --path.rootfs="$HOST" --path.procfs="$HOST/proc" --path.sysfs="$HOST/sys" \
  --path.pod-logs="$HOST/var/log/pods" --path.container-logs="$HOST/var/log/containers" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$HOST"' EXIT
sleep 3
URL=http://127.0.0.1:$PORT/metrics
OM='Accept: application/openmetrics-text;version=1.0.0'
for i in $(seq 1 60); do
  curl -s -o /dev/null "$URL"
  curl -s -o /dev/null -H "$OM" -H 'Accept-Encoding: gzip' "$URL"
  sleep 1
done
echo "containers:     $(curl -s "$URL" | grep -c '^container_cpu_usage_seconds_total{.*container="container-')"
echo "samples:        $(curl -s "$URL" | grep -vc '^#')"
echo "page bytes:     $(curl -s "$URL" | wc -c) (gzip: $(curl -s -H 'Accept-Encoding: gzip' "$URL" | wc -c))"
for f in text om; do
  H=""; [ $f = om ] && H="$OM"
  T=$(for i in $(seq 1 20); do curl -s -o /dev/null -w '%{time_total}\n' ${H:+-H "$H"} "$URL"; done | sort -n | sed -n 10p)
  echo "serve /metrics ($f), median of 20: ${T}s"
done
grep -E "VmRSS|VmHWM|RssAnon|RssFile" /proc/$PID/status
# The peer, same machine, same minute: Debian's node_exporter after 60 scrapes (it has no container metrics).
if [ -x /usr/bin/prometheus-node-exporter ]; then
  /usr/bin/prometheus-node-exporter --web.listen-address=127.0.0.1:$((PORT + 1)) >/dev/null 2>&1 &
  NE=$!
  sleep 1
  for i in $(seq 1 60); do curl -s -o /dev/null -H 'Accept-Encoding: gzip' http://127.0.0.1:$((PORT + 1))/metrics; done
  echo "node_exporter: $(grep -E 'VmRSS' /proc/$NE/status)"
  kill $NE
fi
curl -s "$URL" | grep -E '^vigil_agent_collector_duration_seconds|^process_resident'
