#!/usr/bin/env bash
# End-to-end check of the image built by scripts/build-image.sh (not part of `mvn verify`: the
# build takes minutes). Runs it as the DaemonSet does (privileged, host pid namespace, the host's
# BTF), waits until it reports ready, reads /etc/shadow on the host, and expects the alert on the
# container's stdout. Removes its container on any exit. Run as root.
#   scripts/build-image.sh && scripts/test-image.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/scripts/image-podman.sh"
eunomia_podman_env
tag=${EUNOMIA_IMAGE_TAG:-localhost/eunomia:0.1.0}
podman image exists "$tag" || { echo "test-image: no image $tag: run scripts/build-image.sh first" >&2; exit 2; }
name="eunomia-image-test-$$"
trap 'podman rm -f -t 10 "$name" >/dev/null 2>&1 || true' EXIT
t0=$(date +%s%N)
podman run -d --name "$name" --privileged --pid host \
    -v /sys/kernel/btf:/sys/kernel/btf:ro -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
    "$tag" monitor --no-metrics >/dev/null
deadline=$(( $(date +%s) + 180 ))
until podman logs "$name" 2>&1 | grep -q '^eunomia: monitoring with'; do
    if [ "$(podman inspect --format '{{.State.Running}}' "$name")" != true ] || [ "$(date +%s)" -gt "$deadline" ]; then
        echo "test-image: FAIL: the monitor did not become ready; its output:" >&2
        podman logs "$name" >&2
        exit 1
    fi
    sleep 0.5
done
echo "test-image: ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms (container start included): $(podman logs "$name" 2>&1 | grep '^eunomia: monitoring with')"
cat /etc/shadow >/dev/null &
marker="pid=$!"   # the alert names the process: only our cat matches
wait
deadline=$(( $(date +%s) + 20 ))
until podman logs "$name" 2>/dev/null | grep -F "$marker " | grep -q '/etc/shadow'; do
    if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "test-image: FAIL: no alert for the host's 'cat /etc/shadow' within 20 s; the container's stdout:" >&2
        podman logs "$name" 2>/dev/null >&2
        exit 1
    fi
    sleep 0.2
done
echo "test-image: PASS: $(podman logs "$name" 2>/dev/null | grep -F "$marker " | grep '/etc/shadow' | head -1)"
