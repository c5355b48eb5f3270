#!/usr/bin/env python3
"""Writes the cgroup collector's fixture trees (see README.md). Run from this directory; output is committed.

Each fixture is a host root: <fixture>/sys/fs/cgroup (the cgroup mount), <fixture>/proc, <fixture>/sys/dev/block,
and the runtime/kubelet state files discovery reads (<fixture>/var/log/pods, ...).
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

V2_APP = "a" * 12 + "0123456789abcdef" * 3 + "0123"        # 64 hex
V2_SANDBOX = "b" * 12 + "fedcba9876543210" * 3 + "3210"
V2_POD_UID = "1f0e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"
V1_APP = "c" * 64
V1_SANDBOX = "d" * 64
V1_POD_UID = "5e6f7a8b-9c0d-1e2f-3a4b-5c6d7e8f9a0b"
HY_APP = "e" * 64
HY_POD_UID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
HY_DOCKER = "f" * 64


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def psi(some, full):
    return (f"some avg10=0.00 avg60=0.00 avg300=0.00 total={some}\n"
            f"full avg10=0.00 avg60=0.00 avg300=0.00 total={full}\n")


def v2_memory_stat(anon, file, mapped, inactive_file):
    # Key order and set as Linux 6.1 writes them (mm/memcontrol.c memory_stat_format).
    keys = [("anon", anon), ("file", file), ("kernel", 1310720), ("kernel_stack", 163840), ("pagetables", 425984),
            ("sec_pagetables", 0), ("percpu", 2400), ("sock", 0), ("vmalloc", 0), ("shmem", 0), ("zswap", 0),
            ("zswapped", 0), ("file_mapped", mapped), ("file_dirty", 4096), ("file_writeback", 0),
            ("swapcached", 0), ("anon_thp", 0), ("file_thp", 0), ("shmem_thp", 0),
            ("inactive_anon", anon), ("active_anon", 0), ("inactive_file", inactive_file),
            ("active_file", file - inactive_file), ("unevictable", 0), ("slab_reclaimable", 523264),
            ("slab_unreclaimable", 263400), ("slab", 786664), ("workingset_refault_anon", 0),
            ("workingset_refault_file", 12), ("workingset_activate_anon", 0), ("workingset_activate_file", 3),
            ("workingset_restore_anon", 0), ("workingset_restore_file", 0), ("workingset_nodereclaim", 0),
            ("pgscan", 0), ("pgsteal", 0), ("pgscan_kswapd", 0), ("pgscan_direct", 0), ("pgsteal_kswapd", 0),
            ("pgsteal_direct", 0), ("pgfault", 48213), ("pgmajfault", 17), ("pgrefill", 0), ("pgactivate", 5),
            ("pgdeactivate", 0), ("pglazyfree", 0), ("pglazyfreed", 0), ("thp_fault_alloc", 0),
            ("thp_collapse_alloc", 0)]
    return "".join(f"{k} {v}\n" for k, v in keys)


def v2_cgroup(d, *, usage_usec, user_usec, system_usec, periods=None, memory=None, procs=(), threads=None,
              cpu_max=None, cpu_weight=None, io="", pressure=True, root=False):
    """memory: dict(current, anon, file, mapped, inactive_file, swap, peak, max, oom_kill) or None."""
    write(f"{d}/cgroup.procs", "".join(f"{p}\n" for p in procs))
    write(f"{d}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    cpu = f"usage_usec {usage_usec}\nuser_usec {user_usec}\nsystem_usec {system_usec}\n"
    if periods is not None:
        cpu += (f"nr_periods {periods[0]}\nnr_throttled {periods[1]}\nthrottled_usec {periods[2]}\n"
                "nr_bursts 0\nburst_usec 0\n")
    write(f"{d}/cpu.stat", cpu)
    if memory is not None:
        write(f"{d}/memory.stat", v2_memory_stat(memory["anon"], memory["file"], memory["mapped"],
                                                  memory["inactive_file"]))
        if not root:
            write(f"{d}/memory.current", f"{memory['current']}\n")
            write(f"{d}/memory.swap.current", f"{memory['swap']}\n")
            write(f"{d}/memory.max", f"{memory['max']}\n")
            write(f"{d}/memory.min", "0\n")
            write(f"{d}/memory.events",
                  f"low 0\nhigh 0\nmax {memory['oom_kill'] * 3}\noom {memory['oom_kill']}\n"
                  f"oom_kill {memory['oom_kill']}\noom_group_kill 0\n")
            if "peak" in memory:
                write(f"{d}/memory.peak", f"{memory['peak']}\n")
    if cpu_max is not None:
        write(f"{d}/cpu.max", cpu_max + "\n")
    if cpu_weight is not None:
        write(f"{d}/cpu.weight", f"{cpu_weight}\n")
    write(f"{d}/io.stat", io)
    if threads is not None:
        write(f"{d}/pids.current", f"{threads}\n")
        write(f"{d}/pids.max", "max\n")
    if pressure:
        write(f"{d}/cpu.pressure", psi(1500000, 500000))
        write(f"{d}/memory.pressure", psi(250000, 125000))
        write(f"{d}/io.pressure", psi(3000000, 2000000))


NET_DEV_HEADER = ("Inter-|   Receive                                                |  Transmit\n"
                  " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop "
                  "fifo colls carrier compressed\n")


def net_line(name, rx, tx):
    # rx: bytes packets errs drop; tx likewise.
    return (f"{name:>6}: {rx[0]} {rx[1]} {rx[2]} {rx[3]} 0 0 0 0 {tx[0]} {tx[1]} {tx[2]} {tx[3]} 0 0 0 0\n")


def block_devices(root):
    # <root>/sys/dev/block/8:0/uevent would be the first source, but Bazel file names cannot hold ':'; the
    # uevent path is covered by a test that builds it in a temporary directory.
    write(f"{root}/proc/partitions",
          "major minor  #blocks  name\n\n   8        0  104857600 sda\n   8        1  104856559 sda1\n"
          " 253        0   52428800 dm-0\n")


def make_v2():
    root = f"{HERE}/v2"
    cg = f"{root}/sys/fs/cgroup"
    v2_cgroup(cg, usage_usec=900000000, user_usec=600000000, system_usec=300000000,
              memory=dict(anon=1073741824, file=2147483648, mapped=104857600, inactive_file=1073741824),
              procs=(1, 2), io="8:0 rbytes=10485760 wbytes=20971520 rios=100 wios=200 dbytes=0 dios=0\n",
              root=True)
    write(f"{cg}/cgroup.subtree_control", "cpuset cpu io memory pids\n")
    kp = f"{cg}/kubepods.slice"
    mem_agg = dict(current=209715200, anon=125829120, file=83886080, mapped=8388608, inactive_file=62914560,
                   swap=0, max="max", oom_kill=1)
    v2_cgroup(kp, usage_usec=20000000, user_usec=12000000, system_usec=8000000, periods=(0, 0, 0), memory=mem_agg,
              threads=40, cpu_max="max 100000", cpu_weight=100)
    bu = f"{kp}/kubepods-burstable.slice"
    v2_cgroup(bu, usage_usec=15000000, user_usec=9000000, system_usec=6000000, periods=(0, 0, 0), memory=mem_agg,
              threads=30, cpu_max="max 100000", cpu_weight=100)
    pod = f"{bu}/kubepods-burstable-pod{V2_POD_UID.replace('-', '_')}.slice"
    v2_cgroup(pod, usage_usec=6000000, user_usec=3500000, system_usec=2500000, periods=(100, 7, 250000),
              memory=dict(current=115343360, anon=67108864, file=48234496, mapped=4194304, inactive_file=33554432,
                          swap=1048576, max=536870912, oom_kill=1),
              threads=13, cpu_max="100000 100000", cpu_weight=79)
    app = f"{pod}/cri-containerd-{V2_APP}.scope"
    v2_cgroup(app, usage_usec=5000000, user_usec=3000000, system_usec=2000000, periods=(100, 7, 250000),
              memory=dict(current=104857600, anon=62914560, file=41943040, mapped=4194304, inactive_file=31457280,
                          swap=1048576, peak=157286400, max=268435456, oom_kill=1),
              procs=(1234, 1240), threads=12, cpu_max="50000 100000", cpu_weight=39,
              io="8:0 rbytes=1048576 wbytes=2097152 rios=10 wios=20 dbytes=0 dios=0\n"
                 "253:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n")
    sandbox = f"{pod}/cri-containerd-{V2_SANDBOX}.scope"
    v2_cgroup(sandbox, usage_usec=40000, user_usec=20000, system_usec=20000, periods=(0, 0, 0),
              memory=dict(current=1048576, anon=262144, file=786432, mapped=0, inactive_file=2097152, swap=0,
                          max="max", oom_kill=0),
              procs=(4242,), threads=1, cpu_max="max 100000", cpu_weight=1)
    sysd = f"{cg}/system.slice"
    v2_cgroup(sysd, usage_usec=50000000, user_usec=30000000, system_usec=20000000, periods=(0, 0, 0),
              memory=dict(current=52428800, anon=20971520, file=31457280, mapped=1048576, inactive_file=10485760,
                          swap=0, max="max", oom_kill=0), threads=20, cpu_weight=100)
    v2_cgroup(f"{sysd}/containerd.service", usage_usec=30000000, user_usec=20000000, system_usec=10000000,
              periods=(0, 0, 0),
              memory=dict(current=41943040, anon=15728640, file=26214400, mapped=1048576, inactive_file=5242880,
                          swap=0, max="max", oom_kill=0), procs=(900,), threads=18, cpu_weight=100)
    # Process 4242 is the sandbox's pause; 1 is the host's init.
    write(f"{root}/proc/4242/net/dev", NET_DEV_HEADER + net_line("lo", (100, 2, 0, 0), (100, 2, 0, 0)) +
          net_line("eth0", (123456, 789, 1, 2), (654321, 987, 3, 4)))
    write(f"{root}/proc/1/net/dev", NET_DEV_HEADER + net_line("lo", (5, 1, 0, 0), (5, 1, 0, 0)) +
          net_line("ens3", (999999, 9999, 0, 0), (888888, 8888, 0, 0)) +
          net_line("veth1a2b3c", (1, 1, 0, 0), (1, 1, 0, 0)))
    block_devices(root)
    write(f"{root}/var/log/pods/shop_web-0_{V2_POD_UID}/app/0.log", "")
    write(f"{root}/var/log/containers/web-0_shop_app-{V2_APP}.log", "")
    write(f"{root}/run/containerd/io.containerd.runtime.v2.task/k8s.io/{V2_APP}/config.json",
          '{"ociVersion":"1.1.0","process":{"args":["/app"]},"annotations":{'
          '"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.container-name":"app",'
          '"io.kubernetes.cri.image-name":"registry.example/shop/web:1.4.2",'
          '"io.kubernetes.cri.sandbox-id":"' + V2_SANDBOX + '","io.kubernetes.cri.sandbox-name":"web-0",'
          '"io.kubernetes.cri.sandbox-namespace":"shop","io.kubernetes.cri.sandbox-uid":"' + V2_POD_UID + '"}}\n')
    write(f"{root}/run/containerd/io.containerd.runtime.v2.task/k8s.io/{V2_SANDBOX}/config.json",
          '{"ociVersion":"1.1.0","process":{"args":["/pause"]},"annotations":{'
          '"io.kubernetes.cri.container-type":"sandbox","io.kubernetes.cri.sandbox-id":"' + V2_SANDBOX + '",'
          '"io.kubernetes.cri.sandbox-name":"web-0","io.kubernetes.cri.sandbox-namespace":"shop",'
          '"io.kubernetes.cri.sandbox-uid":"' + V2_POD_UID + '","io.kubernetes.cri.sandbox-log-directory":'
          '"/var/log/pods/shop_web-0_' + V2_POD_UID + '"}}\n')


def v1_cgroup(root, path, *, usage_ns=None, user_ticks=0, system_ticks=0, cfs=(0, 0, 0), quota=-1, period=100000,
              shares=1024, memory=None, blkio=None, pids=None, procs=(), controllers=("cpu,cpuacct", "memory",
                                                                                       "blkio", "pids")):
    for c in controllers:
        write(f"{root}/{c}{path}/cgroup.procs", "".join(f"{p}\n" for p in procs))
        write(f"{root}/{c}{path}/tasks", "".join(f"{p}\n" for p in procs))
        write(f"{root}/{c}{path}/notify_on_release", "0\n")
    cpu_dirs = [c for c in controllers if c in ("cpu,cpuacct", "cpu")]
    acct_dirs = [c for c in controllers if c in ("cpu,cpuacct", "cpuacct")]
    for c in acct_dirs:
        write(f"{root}/{c}{path}/cpuacct.usage", f"{usage_ns}\n")
        write(f"{root}/{c}{path}/cpuacct.stat", f"user {user_ticks}\nsystem {system_ticks}\n")
        write(f"{root}/{c}{path}/cpuacct.usage_percpu", f"{usage_ns // 2} {usage_ns - usage_ns // 2}\n")
    for c in cpu_dirs:
        write(f"{root}/{c}{path}/cpu.stat",
              f"nr_periods {cfs[0]}\nnr_throttled {cfs[1]}\nthrottled_time {cfs[2]}\n")
        write(f"{root}/{c}{path}/cpu.cfs_quota_us", f"{quota}\n")
        write(f"{root}/{c}{path}/cpu.cfs_period_us", f"{period}\n")
        write(f"{root}/{c}{path}/cpu.shares", f"{shares}\n")
    if memory is not None and "memory" in controllers:
        m = f"{root}/memory{path}"
        write(f"{m}/memory.usage_in_bytes", f"{memory['usage']}\n")
        write(f"{m}/memory.max_usage_in_bytes", f"{memory['max_usage']}\n")
        write(f"{m}/memory.failcnt", f"{memory['failcnt']}\n")
        write(f"{m}/memory.limit_in_bytes", f"{memory['limit']}\n")
        write(f"{m}/memory.soft_limit_in_bytes", "9223372036854771712\n")
        write(f"{m}/memory.oom_control", f"oom_kill_disable 0\nunder_oom 0\noom_kill {memory['oom_kill']}\n")
        local = dict(cache=memory["cache"] // 2, rss=memory["rss"] // 2, mapped_file=memory["mapped"] // 2,
                     swap=0, inactive_file=memory["inactive_file"] // 2)
        stat = "".join(f"{k} {local.get(k, 0)}\n" for k in
                       ["cache", "rss", "rss_huge", "shmem", "mapped_file", "dirty", "writeback", "swap", "pgpgin",
                        "pgpgout", "pgfault", "pgmajfault", "inactive_anon", "active_anon", "inactive_file",
                        "active_file", "unevictable"])
        stat += "hierarchical_memory_limit 9223372036854771712\nhierarchical_memsw_limit 9223372036854771712\n"
        total = dict(cache=memory["cache"], rss=memory["rss"], mapped_file=memory["mapped"], swap=memory["swap"],
                     inactive_file=memory["inactive_file"])
        stat += "".join(f"total_{k} {total.get(k, 0)}\n" for k in
                        ["cache", "rss", "rss_huge", "shmem", "mapped_file", "dirty", "writeback", "swap",
                         "pgpgin", "pgpgout", "pgfault", "pgmajfault", "inactive_anon", "active_anon",
                         "inactive_file", "active_file", "unevictable"])
        write(f"{m}/memory.stat", stat)
    if "blkio" in controllers:
        b = f"{root}/blkio{path}"
        # CFQ files exist but are empty on blk-mq kernels ("Total 0"); the throttle layer counts.
        write(f"{b}/blkio.io_service_bytes_recursive", "Total 0\n")
        write(f"{b}/blkio.io_serviced_recursive", "Total 0\n")
        bytes_text, ops_text = "", ""
        for dev, (rb, wb, r, w) in (blkio or {}).items():
            bytes_text += f"{dev} Read {rb}\n{dev} Write {wb}\n{dev} Sync {wb}\n{dev} Async {rb}\n" \
                          f"{dev} Discard 0\n{dev} Total {rb + wb}\n"
            ops_text += f"{dev} Read {r}\n{dev} Write {w}\n{dev} Sync {w}\n{dev} Async {r}\n" \
                        f"{dev} Discard 0\n{dev} Total {r + w}\n"
        total_b = sum(v[0] + v[1] for v in (blkio or {}).values())
        total_o = sum(v[2] + v[3] for v in (blkio or {}).values())
        write(f"{b}/blkio.throttle.io_service_bytes_recursive", bytes_text + f"Total {total_b}\n")
        write(f"{b}/blkio.throttle.io_serviced_recursive", ops_text + f"Total {total_o}\n")
    if pids is not None and "pids" in controllers:
        write(f"{root}/pids{path}/pids.current", f"{pids}\n")
        write(f"{root}/pids{path}/pids.max", "max\n")


def v1_mem(usage, rss, cache, mapped=0, swap=0, inactive_file=0, max_usage=None, failcnt=0,
           limit=9223372036854771712, oom_kill=0):
    return dict(usage=usage, rss=rss, cache=cache, mapped=mapped, swap=swap, inactive_file=inactive_file,
                max_usage=max_usage or usage, failcnt=failcnt, limit=limit, oom_kill=oom_kill)


def make_v1():
    """cgroup v1, cpu and cpuacct co-mounted, kubelet cgroupfs driver, Docker via cri-dockerd."""
    root = f"{HERE}/v1"
    cg = f"{root}/sys/fs/cgroup"
    v1_cgroup(cg, "", usage_ns=500000000000, user_ticks=40000, system_ticks=10000, shares=1024,
              memory=v1_mem(8589934592, 2147483648, 4294967296, mapped=268435456, inactive_file=2147483648),
              blkio={"8:0": (1000, 2000, 1, 2)}, procs=(1, 2))
    for c in ("cpu,cpuacct", "memory", "blkio", "pids"):
        write(f"{cg}/{c}/cgroup.sane_behavior", "0\n")
    v1_cgroup(cg, "/kubepods", usage_ns=20000000000, user_ticks=1500, system_ticks=500, shares=2048,
              memory=v1_mem(314572800, 209715200, 104857600), pids=40)
    v1_cgroup(cg, "/kubepods/burstable", usage_ns=10000000000, user_ticks=700, system_ticks=300, shares=512,
              memory=v1_mem(209715200, 157286400, 52428800), pids=20)
    pod = f"/kubepods/burstable/pod{V1_POD_UID}"
    v1_cgroup(cg, pod, usage_ns=8000000000, user_ticks=500, system_ticks=250, shares=256, quota=50000,
              memory=v1_mem(157286400, 104857600, 52428800, limit=268435456), pids=9)
    v1_cgroup(cg, f"{pod}/{V1_APP}", usage_ns=7500000000, user_ticks=450, system_ticks=250, cfs=(300, 12, 1500000000),
              quota=50000, period=100000, shares=256,
              memory=v1_mem(146800640, 94371840, 52428800, mapped=8388608, swap=0, inactive_file=20971520,
                            max_usage=188743680, failcnt=5, limit=268435456, oom_kill=2),
              blkio={"8:0": (4096000, 8192000, 250, 500)}, pids=8, procs=(2001, 2002, 2003))
    v1_cgroup(cg, f"{pod}/{V1_SANDBOX}", usage_ns=30000000, user_ticks=1, system_ticks=2, shares=2,
              memory=v1_mem(724992, 122880, 602112, inactive_file=1048576), pids=1, procs=(2000,))
    write(f"{root}/proc/2000/net/dev", NET_DEV_HEADER + net_line("lo", (0, 0, 0, 0), (0, 0, 0, 0)) +
          net_line("eth0", (5000, 50, 0, 1), (7000, 70, 0, 0)))
    write(f"{root}/proc/1/net/dev", NET_DEV_HEADER + net_line("eth0", (10, 1, 0, 0), (20, 2, 0, 0)))
    block_devices(root)
    docker = f"{root}/var/lib/docker/containers"
    labels = ('"io.kubernetes.container.name":"api","io.kubernetes.pod.name":"api-7d9c",'
              '"io.kubernetes.pod.namespace":"payments","io.kubernetes.pod.uid":"' + V1_POD_UID + '",'
              '"io.kubernetes.docker.type":"container","team":"payments-core"')
    write(f"{docker}/{V1_APP}/config.v2.json",
          '{"ID":"' + V1_APP + '","Name":"/k8s_api_api-7d9c_payments_' + V1_POD_UID + '_0",'
          '"Config":{"Hostname":"api-7d9c","Image":"registry.example/payments/api:2.0","Labels":{' + labels +
          '}},"State":{"Running":true,"Pid":2001}}\n')
    write(f"{docker}/{V1_APP}/hostconfig.json", '{"NetworkMode":"container:' + V1_SANDBOX + '"}\n')
    write(f"{docker}/{V1_SANDBOX}/config.v2.json",
          '{"ID":"' + V1_SANDBOX + '","Name":"/k8s_POD_api-7d9c_payments_' + V1_POD_UID + '_0",'
          '"Config":{"Image":"registry.k8s.io/pause:3.9","Labels":{"io.kubernetes.container.name":"POD",'
          '"io.kubernetes.pod.name":"api-7d9c","io.kubernetes.pod.namespace":"payments",'
          '"io.kubernetes.pod.uid":"' + V1_POD_UID + '","io.kubernetes.docker.type":"podsandbox"}},'
          '"State":{"Running":true,"Pid":2000}}\n')
    write(f"{docker}/{V1_SANDBOX}/hostconfig.json", '{"NetworkMode":"none"}\n')
    write(f"{root}/var/log/pods/payments_api-7d9c_{V1_POD_UID}/api/0.log", "")


def make_hybrid():
    """Hybrid (systemd's default before v247): v1 controllers, cpu and cpuacct mounted apart (as on the
    development host), the v2 tree at /sys/fs/cgroup/unified with PSI; CRI-O with the systemd driver, a standalone
    Docker container and a plain service."""
    root = f"{HERE}/hybrid"
    cg = f"{root}/sys/fs/cgroup"
    ctl = ("cpu", "cpuacct", "memory", "blkio", "pids")
    v1_cgroup(cg, "", usage_ns=100000000000, user_ticks=8000, system_ticks=2000,
              memory=v1_mem(4294967296, 1073741824, 2147483648), blkio={"8:0": (1, 2, 3, 4)}, procs=(1,),
              controllers=ctl)
    uni = f"{cg}/unified"
    write(f"{uni}/cgroup.controllers", "hugetlb\n")
    write(f"{uni}/cgroup.procs", "1\n")
    write(f"{uni}/cpu.stat", "usage_usec 100000000\nuser_usec 80000000\nsystem_usec 20000000\n")
    for p in ("cpu", "memory", "io"):
        write(f"{uni}/{p}.pressure", psi(7000000, 0 if p == "cpu" else 1000000))
    pod = f"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{HY_POD_UID.replace('-', '_')}.slice"
    for path in ("/kubepods.slice", "/kubepods.slice/kubepods-besteffort.slice", pod):
        v1_cgroup(cg, path, usage_ns=3000000000, user_ticks=200, system_ticks=100, shares=2,
                  memory=v1_mem(52428800, 41943040, 10485760), pids=5, controllers=ctl)
    app = f"{pod}/crio-{HY_APP}.scope"
    v1_cgroup(cg, app, usage_ns=2500000000, user_ticks=150, system_ticks=100, shares=2,
              memory=v1_mem(50331648, 41943040, 8388608, inactive_file=4194304), pids=4, procs=(3001,),
              controllers=ctl)
    conmon = f"{pod}/crio-conmon-{HY_APP}.scope"
    v1_cgroup(cg, conmon, usage_ns=1000000, user_ticks=0, system_ticks=0, shares=1024,
              memory=v1_mem(1048576, 524288, 524288), pids=1, procs=(3000,), controllers=ctl)
    write(f"{uni}{app}/cgroup.procs", "3001\n")
    write(f"{uni}{app}/cpu.pressure", psi(2500000, 1250000))
    write(f"{uni}{app}/memory.pressure", psi(100, 50))
    write(f"{uni}{app}/io.pressure", psi(40000, 30000))
    dock = f"/system.slice/docker-{HY_DOCKER}.scope"
    v1_cgroup(cg, "/system.slice", usage_ns=9000000000, user_ticks=600, system_ticks=300,
              memory=v1_mem(104857600, 52428800, 52428800), pids=30, controllers=ctl)
    v1_cgroup(cg, dock, usage_ns=4000000000, user_ticks=300, system_ticks=100, quota=200000, period=100000,
              memory=v1_mem(73400320, 62914560, 10485760, limit=536870912), pids=6, procs=(4001,),
              controllers=ctl)
    v1_cgroup(cg, "/system.slice/ssh.service", usage_ns=500000000, user_ticks=30, system_ticks=20,
              memory=v1_mem(5242880, 2097152, 3145728), pids=1, procs=(700,), controllers=ctl)
    write(f"{root}/proc/4001/net/dev", NET_DEV_HEADER + net_line("eth0", (42, 4, 0, 0), (24, 2, 0, 0)))
    write(f"{root}/proc/3001/net/dev", NET_DEV_HEADER + net_line("eth0", (1, 1, 0, 0), (1, 1, 0, 0)))
    write(f"{root}/proc/1/net/dev", NET_DEV_HEADER + net_line("eth0", (10, 1, 0, 0), (20, 2, 0, 0)))
    block_devices(root)
    write(f"{root}/run/containers/storage/overlay-containers/{HY_APP}/userdata/config.json",
          '{"ociVersion":"1.0.2-dev","annotations":{"io.kubernetes.cri-o.ContainerType":"container",'
          '"io.kubernetes.container.name":"worker","io.kubernetes.pod.name":"batch-x1",'
          '"io.kubernetes.pod.namespace":"jobs","io.kubernetes.pod.uid":"' + HY_POD_UID + '",'
          '"io.kubernetes.cri-o.ImageName":"quay.io/example/worker:7"}}\n')
    write(f"{root}/var/lib/docker/containers/{HY_DOCKER}/config.v2.json",
          '{"ID":"' + HY_DOCKER + '","Name":"/nginx","Config":{"Image":"nginx:1.25",'
          '"Labels":{"maintainer":"NGINX Docker Maintainers"}}}\n')
    write(f"{root}/var/lib/docker/containers/{HY_DOCKER}/hostconfig.json", '{"NetworkMode":"bridge"}\n')


if __name__ == "__main__":
    for d in ("v2", "v1", "hybrid"):
        shutil.rmtree(f"{HERE}/{d}", ignore_errors=True)
    make_v2()
    make_v1()
    make_hybrid()
