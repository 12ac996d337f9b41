#!/usr/bin/env bash
# Compiles every src/main/bpf/*.bpf.c into a CO-RE object packaged in the jar
# (io/eunomia/bpf/<name>.bpf.o). Called by Maven (generate-resources); safe to run by hand.
# An optional 4th argument adds an include dir (the bench module's programs include common.bpf.h).
set -euo pipefail
src=${1:?source dir}; out=${2:?output dir}; gen=${3:?generated include dir}; inc=${4:-$src}
mkdir -p "$out/io/eunomia/bpf" "$gen"

for tool in clang bpftool; do
  command -v "$tool" >/dev/null || { echo "build-bpf: '$tool' not found; install it with: apt-get install clang bpftool libbpf-dev" >&2; exit 1; }
done
[ -f /usr/include/bpf/bpf_helpers.h ] || { echo "build-bpf: libbpf headers missing; apt-get install libbpf-dev" >&2; exit 1; }

# vmlinux.h comes from the build host's BTF; CO-RE relocations make the objects portable.
if [ ! -s "$gen/vmlinux.h" ]; then
  [ -r /sys/kernel/btf/vmlinux ] || { echo "build-bpf: /sys/kernel/btf/vmlinux missing: the kernel has no BTF" >&2; exit 1; }
  bpftool btf dump file /sys/kernel/btf/vmlinux format c > "$gen/vmlinux.h.tmp"
  mv "$gen/vmlinux.h.tmp" "$gen/vmlinux.h"
fi

case "$(uname -m)" in
  x86_64) arch=x86 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

for c in "$src"/*.bpf.c; do
  name=$(basename "$c" .c)
  obj="$out/io/eunomia/bpf/$name.o"
  if [ ! -f "$obj" ] || [ -n "$(find "$src" "$inc" -newer "$obj" -name '*.[ch]' | head -n1)" ]; then
    clang -g -O2 -target bpf -D__TARGET_ARCH_$arch -Wall -Werror \
      -I "$gen" -I "$src" -I "$inc" -c "$c" -o "$obj.tmp"
    mv "$obj.tmp" "$obj"
  fi
done
