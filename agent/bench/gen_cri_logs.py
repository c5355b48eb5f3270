#!/usr/bin/env python3
"""Writes realistic container logs in the CRI format into a kubelet-style pod log tree, for agent benchmarks:
<dir>/<namespace>_<pod>_<uid>/<container>/0.log, a third each of JSON application logs, nginx access logs and
Java stack traces (the mix issue 6 names). Deterministic (seeded).

  gen_cri_logs.py DIR MEGABYTES FILES
"""
import os
import random
import sys


def main():
    out_dir, megabytes, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(42)
    per_file = megabytes * 1_000_000 // files
    paths = ["/api/v1/orders", "/api/v1/cart", "/healthz", "/static/app.js", "/api/v1/users/{}", "/login"]
    agents = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.4.0", "kube-probe/1.29", "Go-http-client/1.1"]
    levels = ["info"] * 8 + ["warn", "error"]
    for f in range(files):
        kind = f % 3
        d = os.path.join(out_dir, f"shop_pod-{f}_{f:08x}-0000-4000-8000-000000000000", "app")
        os.makedirs(d, exist_ok=True)
        t = 1795340000 + f
        lines = []
        size = 0
        n = 0
        while size < per_file:
            n += 1
            ts = f"2026-11-22T{(t // 3600) % 24:02d}:{(t // 60) % 60:02d}:{t % 60:02d}.{n % 1000000000:09d}Z"
            if kind == 0:
                msg = ('{"level":"%s","ts":"%s","caller":"orders/handler.go:%d","msg":"order processed",'
                       '"order_id":"%08x","user_id":%d,"items":%d,"total":%.2f,"duration_ms":%.3f,'
                       '"trace_id":"%032x"}' % (rng.choice(levels), ts, rng.randint(10, 400), rng.getrandbits(32),
                                               rng.randint(1, 99999), rng.randint(1, 9), rng.random() * 500,
                                               rng.random() * 80, rng.getrandbits(128)))
                line = f"{ts} stdout F {msg}\n"
            elif kind == 1:
                msg = '10.%d.%d.%d - - [22/Nov/2026:10:%02d:%02d +0000] "GET %s HTTP/1.1" %d %d "-" "%s"' % (
                    rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254), (t // 60) % 60, t % 60,
                    rng.choice(paths).format(rng.randint(1, 9999)), rng.choice([200] * 9 + [404, 500]),
                    rng.randint(100, 50000), rng.choice(agents))
                line = f"{ts} stdout F {msg}\n"
            else:
                frames = "".join(
                    f"{ts} stderr F \tat com.shop.service.OrderService.method{rng.randint(1, 40)}(OrderService.java:{rng.randint(10, 900)})\n"
                    for _ in range(rng.randint(3, 12)))
                line = (f"{ts} stderr F java.lang.IllegalStateException: order {rng.getrandbits(32):08x} "
                        f"not found in shard {rng.randint(0, 63)}\n" + frames)
            lines.append(line)
            size += len(line)
            if n % 50 == 0:
                t += 1
        with open(os.path.join(d, "0.log"), "w") as fh:
            fh.write("".join(lines))


if __name__ == "__main__":
    main()
