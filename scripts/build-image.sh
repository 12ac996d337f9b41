#!/usr/bin/env bash
# Builds localhost/eunomia:0.1.0 on this machine, no registry: a Debian 12 minbase made by
# debootstrap (cached in $EUNOMIA_IMAGE_WORK/base-libbpf1.tar), a jlink'ed JDK 25 with only the modules
# the shaded jar needs, then policies/image/Containerfile on top. Run as root. Takes minutes the
# first time (debootstrap); later builds reuse the base.
#   scripts/build-image.sh            # build (prints times and the image size)
#   EUNOMIA_IMAGE_MIRROR=URL ...      # another Debian mirror (default: the one apt uses here)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/setup.sh" >/dev/null
eunomia_select_jdk >/dev/null
source "$here/scripts/image-podman.sh"
eunomia_podman_env
tag=${EUNOMIA_IMAGE_TAG:-localhost/eunomia:0.1.0}
mirror=${EUNOMIA_IMAGE_MIRROR:-http://deb.debian.org/debian}
for tool in debootstrap podman jdeps jlink; do
    command -v "$tool" >/dev/null || { echo "build-image: '$tool' is missing: apt-get install debootstrap podman (jdeps/jlink: the JDK 25 of scripts/setup.sh)" >&2; exit 2; }
done
t0=$(date +%s)
step() { echo "build-image: $* ($(( $(date +%s) - t0 )) s)" >&2; }

step "shaded jar"
(cd "$here" && mvn -B -ntp -o -q -pl engine -am package -DskipTests)
jar="$here/engine/target/eunomia.jar"
listing=$(unzip -Z1 "$jar")
for entry in io/eunomia/bpf/process.bpf.o io/eunomia/rules/default/; do
    grep -qx "$entry" <<<"$listing" || { echo "build-image: $jar lacks $entry: run 'mvn -o -pl engine -am package'" >&2; exit 1; }
done

ctx="$EUNOMIA_IMAGE_WORK/context"
rm -rf "$ctx" && mkdir -p "$ctx"
step "jlink"
modules=$(jdeps --multi-release 25 --ignore-missing-deps --print-module-deps "$jar")
# Service providers jdeps cannot see: jdk.zipfs (the "jar" file system the default pack is read through),
# jdk.crypto.ec (TLS to an Alertmanager over https); jdk.unsupported: libraries reach sun.misc reflectively.
modules=$(tr , "\n" <<<"$modules,jdk.zipfs,jdk.crypto.ec,jdk.unsupported" | sort -u | paste -sd,)
echo "build-image: modules $modules" >&2
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-6 --output "$ctx/jre"
cp "$jar" "$ctx/eunomia.jar"
cp "$here/policies/image/eunomia" "$ctx/eunomia"

# libbpf1: the loader the monitor calls through FFM (it brings libelf and zlib).
base="$EUNOMIA_IMAGE_WORK/base-libbpf1.tar"
if ! podman image exists localhost/eunomia-base:bookworm; then
    if [ ! -s "$base" ]; then
        step "debootstrap bookworm from $mirror"
        root="$EUNOMIA_IMAGE_WORK/rootfs"
        rm -rf "$root"
        debootstrap --variant=minbase --include=libbpf1 bookworm "$root" "$mirror" >"$EUNOMIA_IMAGE_WORK/debootstrap.log"
        # What a monitor never needs: docs, manuals, locales, apt's caches.
        rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
            "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/log/*
        tar -C "$root" --numeric-owner -cf "$base.tmp" . && sync "$base.tmp" && mv "$base.tmp" "$base"
        rm -rf "$root"
    fi
    step "import base"
    podman import "$base" localhost/eunomia-base:bookworm >/dev/null
fi
step "build $tag"
podman build -q --network none -f "$here/policies/image/Containerfile" -t "$tag" "$ctx" >/dev/null
rm -rf "$ctx"
podman image prune -f >/dev/null   # the image this build replaced
size=$(podman image inspect --format '{{.Size}}' "$tag")
step "built $tag: $((size / 1024 / 1024)) MiB"
