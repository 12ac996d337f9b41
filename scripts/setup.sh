#!/usr/bin/env bash
# Idempotent host set-up for building and running Eunomia on Debian 12: installs the Debian
# packages that are missing, checks that the tools they provide actually run, and selects JDK 25.
# Sourced by ./eunomia and ./run-tests (which set -euo pipefail themselves; sourcing this into an
# interactive shell changes no shell option).

EUNOMIA_JAVA_HOME=${EUNOMIA_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
# The JVM flags ./eunomia runs with (bench/run.sh measures the monitor with the same). An agent's
# heap: the JVM's default starts at 1/64 of RAM (390 MB on a 24 GB node) and Serial GC fills it
# before collecting, though the monitor keeps ~60 MB live; start small and let it grow, bounded
# (the session holds at most 200,000 events: ~190 MB of heap at worst, bench/README.md).
# TrimNativeHeapInterval: glibc keeps what startup freed (BPF object loading, rule compilation)
# resident; trimming gave it back (RSS 200 -> 179 MiB at 15k events/s, bench/README.md). Every 60 s, not
# 10 s: a trim walks glibc's arenas, and every 10 s that was ~0.2% of a CPU on a monitor that was
# otherwise idle (bench/README.md, the monitor's own cost).
# -Xlog: the JVM's own warnings (e.g. an AOT cache it cannot use) go to stderr, never among the
# alerts on stdout.
# AsyncDeflationInterval, ServiceThreadCleanupInterval (diagnostic flags, hence the unlock): the JVM's
# monitor-deflation thread woke 4 times a second and its service thread once, each wake-up ~100 µs of
# CPU on this VM: together a third of an idle monitor's CPU (bench/README.md). Every 10 s is plenty for
# an agent that inflates few monitors (deflation also runs when their count passes its threshold).
# Min/MaxHeapFreeRatio 20/40 (defaults 40/70): after a full collection the heap keeps at most 40% free
# (the monitor runs one when it is ready, to drop start-up's garbage), and grows by less; with the
# defaults the old generation stayed at start-up's size and RSS crept up over a soak (RSS at 15k
# events/s 198-218 -> 169-186 MiB with the 4 MiB ring, bench/README.md).
# -ShrinkHeapInSteps: Serial GC damps a shrink (0% of it at the first full collection, 10% at the second,
# 40%, then 100%), so the one collection at ready shrank nothing: the old generation stayed at 49 MiB
# committed for 13 MiB live, the young at 22 MiB. Without the damping that collection shrinks both to
# what the ratios allow: heap 75 -> 33 MiB committed, RSS at ready 225 -> 177 MiB (bench/README.md).
# SurvivorRatio=2, TargetSurvivorRatio=90: the events and Drools handles of the batch in flight (they leave
# the session at its fire) are alive at every young collection; with the default survivor spaces (1 MiB of
# a 10 MiB young generation, half of it the target) they overflowed, the tenuring threshold fell to 1 and
# they were promoted, and Serial grows the old generation for a promotion rather than collect it: a 60 s
# burst of 110k setuid chmods grew it by 23-35 MiB of dead events, RSS +25-50 MiB, given back only by
# HeapGiveBack minutes later. With survivors of a third of the young generation the threshold stays 15 and
# the batch dies young: +10-12 MiB (bench/README.md, a burst's heap).
# MALLOC_ARENA_MAX (an environment variable, not a JVM flag; ./eunomia, bench/run.sh and the image export it unless it is set):
# glibc's 16 arenas kept 36-49 MiB resident between the 60 s trims; with 2, three paired starts (two monitors on
# one namespace, started in alternated order, load 13-29) gave RSS 30 s after ready 135/167/144 against
# 174/159/180 MiB, after a 50k-chmod burst 162/172/175 against 174/200/191, a minute later 147/149/156 against
# 171/178/168 (bench/README.md, a burst's heap).
EUNOMIA_MALLOC_ARENA_MAX=2
# MALLOC_MMAP_THRESHOLD_ (exported the same way): glibc serves a malloc of at least this many bytes by its own mmap,
# given back at free. Its default threshold starts there but rises to the largest block freed: start-up frees 4 MiB
# verifier logs and ELF copies, after which every block up to 4 MiB (C2's arenas, libbpf's BTF) came from the arenas
# and stayed resident between the 60 s trims, fragmenting them. Fixed at 128 KiB, paired monitors (same events) after
# the workloads: 167/160 against 192/180 MiB; what it costs is an mmap and munmap per large block, C2's while it
# compiles (the sensor poller: 1 mmap in 20 s at 15k events/s) (bench/README.md, RSS margin).
EUNOMIA_MALLOC_MMAP_THRESHOLD=131072
# The container image's entry point (policies/image/eunomia) repeats these flags: change both.
EUNOMIA_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Xms16m -Xmx512m
  -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:-ShrinkHeapInSteps -XX:SurvivorRatio=2 -XX:TargetSurvivorRatio=90
  -XX:TrimNativeHeapInterval=60000 -XX:+UnlockDiagnosticVMOptions -XX:AsyncDeflationInterval=10000
  -XX:ServiceThreadCleanupInterval=10000 -Xlog:disable -Xlog:all=warning:stderr)

# eunomia_aot_flags JAR: the flag that starts the JVM from the AOT cache scripts/aot-train.sh made
# for JAR (JAR.aot: classes loaded and linked, method profiles; JDK 25, JEP 483/515), when there is
# one newer than JAR and EUNOMIA_AOT is not "off". The JVM checks the cache itself (same JDK, same
# jar, same flags that matter) and runs without it when it does not fit: a stale cache costs the
# warm-up it would have saved, never the start (bench/README.md, the monitor's own cost).
eunomia_aot_flags() {
  local jar=$1 cache=${1%.jar}.aot
  if [ "${EUNOMIA_AOT:-on}" != off ] && [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then
    echo "-XX:AOTCache=$cache"
  fi
}

# Running and building: clang (BPF objects), bpftool (vmlinux.h), libbpf, Maven.
EUNOMIA_PACKAGES=(clang llvm libbpf-dev libbpf1 bpftool maven)
# Tests only (./run-tests): seccomp (scmp_sys_resolver), util-linux (unshare, setpriv), python3,
# libcap2-bin (capsh), the real container runtimes the container tests start (runc, crun, podman
# with conmon and its netavark network stack, containerd, docker.io) with a busybox-static root
# filesystem, Prometheus/Alertmanager (promtool, amtool, servers the alerting tests start on
# 127.0.0.1), containers-common's seccomp profile (/usr/share/containers/seccomp.json, read by the
# seccomp tests), what the benign-workload test runs (gcc, git, curl), bpftrace (the learning
# tests' independent cross-check of what a container called), nginx and wrk (bench/run.sh --part
# workloads runs nginx with its own configuration and port and drives it with wrk), acl (setfacl: the
# ACL sensor tests), btrfs-progs (a chroot in a btrfs subvolume: GoneTaskPathCallsLiveTest makes one on
# a loop device).
EUNOMIA_TEST_PACKAGES=(seccomp libcap2-bin util-linux python3 busybox-static runc crun podman conmon netavark
  containerd docker.io golang-github-containers-common prometheus prometheus-alertmanager gcc git curl bpftrace wrk
  nginx acl btrfs-progs)

# How to ask each package's tool whether it works: "package|command". A package can be installed
# and its tool still broken (a partial upgrade, a missing dependency, a library removed by hand).
EUNOMIA_RUN_CHECKS=(
  "libbpf1|/sbin/ldconfig -p | grep -q 'libbpf.so.1 '"
)
EUNOMIA_BUILD_CHECKS=(
  "clang|clang --version"
  "bpftool|bpftool version"
  "libbpf-dev|test -f /usr/include/bpf/bpf_helpers.h"
  "maven|mvn --version"
)
EUNOMIA_TEST_CHECKS=(
  "seccomp|scmp_sys_resolver read"
  "libcap2-bin|capsh --print"
  "acl|setfacl --version"
  "btrfs-progs|mkfs.btrfs --version"
  "util-linux|unshare --version"
  "util-linux|setpriv --version"
  "python3|python3 --version"
  "busybox-static|/bin/busybox true"
  "runc|runc --version"
  "crun|crun --version"
  "podman|podman --version"
  "conmon|conmon --version"
  "netavark|/usr/lib/podman/netavark --version"
  "containerd|containerd --version"
  "docker.io|dockerd --version"
  "docker.io|docker --version"
  "prometheus|prometheus --version"
  "prometheus|promtool --version"
  "prometheus-alertmanager|prometheus-alertmanager --version"
  "prometheus-alertmanager|amtool --version"
  "gcc|gcc --version"
  "bpftrace|bpftrace --version"
  "wrk|test -x /usr/bin/wrk"
  "nginx|nginx -v"
  "git|git --version"
  "curl|curl --version"
)

eunomia_missing_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

eunomia_install_packages() {
  local missing
  missing=$(eunomia_missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "eunomia: missing Debian packages: $missing; run as root or: sudo apt-get install -y $missing" >&2
    return 1
  fi
  echo "eunomia: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  # Packages with a service (nginx, docker.io, containerd, prometheus) must not start it: nginx's
  # default site would take port 80. policy-rc.d answering 101 tells invoke-rc.d and
  # deb-systemd-invoke not to; one already there (container images ship it) is left as it is.
  local policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# eunomia_install_packages: no service starts while packages install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2 || rc=$?
  [ "$made_policy" = 1 ] && rm -f "$policy"
  return "$rc"
}

# Runs each "package|command" check; one line per broken tool saying what and how to fix it.
eunomia_check_tools() {
  local broken=0 check pkg cmd out rc
  for check in "$@"; do
    pkg=${check%%|*}
    cmd=${check#*|}
    rc=0
    out=$(timeout 60 sh -c "$cmd" </dev/null 2>&1) || rc=$?
    if [ "$rc" -ne 0 ]; then
      out=$(printf '%s\n' "$out" | grep -v '^[[:space:]]*$' | head -n1 | cut -c1-160)
      echo "eunomia: '$cmd' fails (exit $rc${out:+: $out}); repair it with: apt-get install --reinstall $pkg" >&2
      broken=1
    fi
  done
  return "$broken"
}

eunomia_select_jdk() {
  if [ ! -x "$EUNOMIA_JAVA_HOME/bin/java" ]; then
    echo "eunomia: JDK 25 not found at $EUNOMIA_JAVA_HOME; install Temurin 25 there or set EUNOMIA_JAVA_HOME" >&2
    return 1
  fi
  local version
  if ! version=$("$EUNOMIA_JAVA_HOME/bin/java" -version 2>&1 </dev/null) || ! printf '%s' "$version" | grep -q 'version "25'; then
    echo "eunomia: $EUNOMIA_JAVA_HOME/bin/java is not a working JDK 25 ($(printf '%s' "$version" | head -n1)); install Temurin 25 there or set EUNOMIA_JAVA_HOME" >&2
    return 1
  fi
  export JAVA_HOME="$EUNOMIA_JAVA_HOME"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 25 warns about on every run.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

# eunomia_setup [build] [test]: what to install and check beyond running the engine.
eunomia_setup() {
  local packages=("${EUNOMIA_PACKAGES[@]}") checks=("${EUNOMIA_RUN_CHECKS[@]}")
  for part in "$@"; do
    case "$part" in
      build) checks+=("${EUNOMIA_BUILD_CHECKS[@]}") ;;
      test) packages+=("${EUNOMIA_TEST_PACKAGES[@]}"); checks+=("${EUNOMIA_BUILD_CHECKS[@]}" "${EUNOMIA_TEST_CHECKS[@]}") ;;
      *) echo "eunomia_setup: unknown part '$part' (build, test)" >&2; return 2 ;;
    esac
  done
  eunomia_install_packages "${packages[@]}"
  eunomia_check_tools "${checks[@]}"
  eunomia_select_jdk
}
