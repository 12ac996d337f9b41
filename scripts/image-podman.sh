# Sourced by build-image.sh and test-image.sh: podman as root with a private configuration and
# storage under $EUNOMIA_IMAGE_WORK/podman (nothing in /etc read or written; see environment notes).
EUNOMIA_IMAGE_WORK=${EUNOMIA_IMAGE_WORK:-/var/tmp/eunomia-image}
eunomia_podman_env() {
    local w="$EUNOMIA_IMAGE_WORK/podman" backend=cni d
    mkdir -p "$w/graph" "$w/run" "$w/tmp" "$w/networks"
    for d in /usr/libexec/podman /usr/lib/podman /usr/local/libexec/podman; do
        [ -x "$d/netavark" ] && backend=netavark
    done
    cat > "$w/containers.conf" <<CONF
[containers]
netns = "none"
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[network]
network_backend = "$backend"
network_config_dir = "$w/networks"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$w/events.log"
tmp_dir = "$w/tmp"
runtime = "runc"   # crun refuses this hybrid cgroup layout
CONF
    cat > "$w/storage.conf" <<CONF
[storage]
driver = "${EUNOMIA_IMAGE_STORAGE:-vfs}"
graphroot = "$w/graph"
runroot = "$w/run"
CONF
    export CONTAINERS_CONF="$w/containers.conf" CONTAINERS_STORAGE_CONF="$w/storage.conf"
}
