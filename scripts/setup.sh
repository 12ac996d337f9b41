#!/usr/bin/env bash
# Idempotent host set-up for building and running Eunomia on Debian 12: installs the Debian
# packages that are missing and checks for JDK 25. Sourced by ./eunomia and ./run-tests.
set -euo pipefail

EUNOMIA_JAVA_HOME=${EUNOMIA_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

# Running and building: clang/llvm (BPF objects), bpftool (vmlinux.h), libbpf, Maven.
EUNOMIA_PACKAGES=(clang llvm libbpf-dev libbpf1 bpftool maven)
# Tests only (./run-tests): seccomp (scmp_sys_resolver), util-linux (unshare, setpriv), python3,
# libcap2-bin (capsh), the real container runtimes the container tests start (runc, crun, podman,
# docker.io, containerd with ctr) with a busybox-static root filesystem, containers-common's
# seccomp profile (/usr/share/containers/seccomp.json, read by the seccomp tests), and
# Prometheus/Alertmanager (promtool, amtool, servers the alerting tests start on 127.0.0.1).
EUNOMIA_TEST_PACKAGES=(seccomp libcap2-bin util-linux python3 busybox-static runc crun podman docker.io containerd
  golang-github-containers-common
  prometheus prometheus-alertmanager gcc)

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
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >&2
}

eunomia_select_jdk() {
  if [ ! -x "$EUNOMIA_JAVA_HOME/bin/java" ]; then
    echo "eunomia: JDK 25 not found at $EUNOMIA_JAVA_HOME; install Temurin 25 there or set EUNOMIA_JAVA_HOME" >&2
    return 1
  fi
  export JAVA_HOME="$EUNOMIA_JAVA_HOME"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven 3.8's bundled Guava uses sun.misc.Unsafe, which JDK 25 warns about on every run.
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
}

eunomia_setup() {
  eunomia_install_packages "${EUNOMIA_PACKAGES[@]}" "$@"
  eunomia_select_jdk
}
