#!/usr/bin/env python3
"""Builds a fake Kubernetes node for measuring vigil-agent: a cgroup v2 tree with N containers (systemd
driver, containerd; N/3 pods of a sandbox and two app containers), the kubelet's /var/log/pods, containerd's
OCI specs, and a procfs/sysfs that are the real ones except for the cgroup tree and the sandboxes' /proc/<pid>.

    agent/bench/fake_k8s_host.py /tmp/fakehost 300
    vigil-agent --path.rootfs=/tmp/fakehost --path.procfs=/tmp/fakehost/proc --path.sysfs=/tmp/fakehost/sys \
        --path.pod-logs=/tmp/fakehost/var/log/pods --path.container-logs=/tmp/fakehost/var/log/containers
"""
import os
import shutil
import sys

PSI = "some avg10=0.00 avg60=0.00 avg300=0.00 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=654\n"
MEM_KEYS = ["kernel", "kernel_stack", "pagetables", "percpu", "sock", "shmem", "file_mapped", "file_dirty",
            "file_writeback", "anon_thp", "active_anon", "unevictable", "slab_reclaimable", "slab_unreclaimable",
            "slab", "workingset_refault_anon", "workingset_refault_file", "workingset_activate_anon",
            "workingset_activate_file", "pgscan", "pgsteal", "pgfault", "pgmajfault", "pgrefill", "pgactivate"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def cgroup(d, pid, seed):
    write(f"{d}/cgroup.procs", f"{pid}\n" if pid else "")
    write(f"{d}/cgroup.controllers", "cpuset cpu io memory pids\n")
    write(f"{d}/cpu.stat", f"usage_usec {seed * 1000}\nuser_usec {seed * 600}\nsystem_usec {seed * 400}\n"
          "nr_periods 100\nnr_throttled 3\nthrottled_usec 5000\n")
    write(f"{d}/memory.current", f"{seed * 4096}\n")
    stat = f"anon {seed * 2048}\nfile {seed * 2048}\ninactive_anon {seed * 2048}\ninactive_file {seed * 1024}\n" \
           f"active_file {seed * 1024}\n" + "".join(f"{k} 123\n" for k in MEM_KEYS)
    write(f"{d}/memory.stat", stat)
    write(f"{d}/memory.swap.current", "0\n")
    write(f"{d}/memory.peak", f"{seed * 8192}\n")
    write(f"{d}/memory.max", "268435456\n")
    write(f"{d}/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n")
    write(f"{d}/cpu.max", "50000 100000\n")
    write(f"{d}/cpu.weight", "39\n")
    write(f"{d}/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n")
    write(f"{d}/pids.current", "3\n")
    for r in ("cpu", "memory", "io"):
        write(f"{d}/{r}.pressure", PSI)


def mirror(real, fake, skip):
    """Symlinks every entry of `real` into `fake` except those named in `skip`."""
    os.makedirs(fake, exist_ok=True)
    for name in os.listdir(real):
        if name in skip or name.isdigit():
            continue
        os.symlink(os.path.join(real, name), os.path.join(fake, name))


def main():
    root, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 300
    shutil.rmtree(root, ignore_errors=True)
    mirror("/proc", f"{root}/proc", {"self", "thread-self", "net", "mounts"})
    # The agent's own process and network namespace stay visible as themselves.
    os.symlink("/proc/self", f"{root}/proc/self")
    os.symlink("/proc/thread-self", f"{root}/proc/thread-self")
    os.symlink("/proc/self/net", f"{root}/proc/net")
    os.symlink("/proc/self/mounts", f"{root}/proc/mounts")
    os.makedirs(f"{root}/proc/1", exist_ok=True)
    os.symlink("/proc/self/mounts", f"{root}/proc/1/mounts")
    mirror("/sys", f"{root}/sys", {"fs"})
    cg = f"{root}/sys/fs/cgroup"
    cgroup(cg, 1, 999)
    kp = f"{cg}/kubepods.slice"
    cgroup(kp, 0, 500)
    bu = f"{kp}/kubepods-burstable.slice"
    cgroup(bu, 0, 400)
    tasks = f"{root}/run/containerd/io.containerd.runtime.v2.task/k8s.io"
    for p in range((n + 2) // 3):
        uid = f"{p:08x}-0000-4000-8000-{p:012x}"
        pod_name, ns = f"app-{p}-7d9f8c6b5-x2k4q", f"namespace-{p % 12}"
        pod = f"{bu}/kubepods-burstable-pod{uid.replace('-', '_')}.slice"
        cgroup(pod, 0, 300 + p)
        for c in range(3):
            cid = f"{p:032x}{c:032x}"
            pid = 100000 + p * 10 + c
            cgroup(f"{pod}/cri-containerd-{cid}.scope", pid, 100 + c)
            sandbox = c == 0
            name = "" if sandbox else f"container-{c}"
            write(f"{tasks}/{cid}/config.json",
                  '{"ociVersion":"1.1.0","annotations":{'
                  f'"io.kubernetes.cri.container-type":"{"sandbox" if sandbox else "container"}",'
                  f'"io.kubernetes.cri.container-name":"{name}",'
                  f'"io.kubernetes.cri.image-name":"registry.example.com/team/app-{p % 40}:v1.{c}",'
                  f'"io.kubernetes.cri.sandbox-name":"{pod_name}","io.kubernetes.cri.sandbox-namespace":"{ns}",'
                  f'"io.kubernetes.cri.sandbox-uid":"{uid}"}}}}')
            if not sandbox:
                write(f"{root}/var/log/pods/{ns}_{pod_name}_{uid}/{name}/0.log", "")
            else:
                write(f"{root}/proc/{pid}/net/dev",
                      "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n"
                      "    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n"
                      "  eth0: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n")
    os.makedirs(f"{root}/var/log/containers", exist_ok=True)


if __name__ == "__main__":
    main()
