package io.eunomia.enforcer.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.enforcer.caps.CapabilitySet;
import io.eunomia.enforcer.caps.CapsEmitter;
import io.eunomia.enforcer.internal.Json;
import io.eunomia.enforcer.seccomp.SeccompProfileWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The config.json of an OCI bundle for a verify run: what {@code runc spec} writes (namespaces pid,
 * network, ipc, uts, mount; proc, dev, devpts, shm, mqueue, read-only sys and cgroup mounts;
 * masked and read-only paths), root 0:0, the given root file system used in place, and the
 * confinement: capabilities, no_new_privs and the evaluated seccomp profile.
 */
final class OciConfig {
    static final String PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private OciConfig() {
    }

    static ObjectNode of(String hostname, Path rootfs, List<String> command, Confinement c) {
        ObjectNode root = Json.object();
        root.put("ociVersion", "1.0.2");
        ObjectNode process = root.putObject("process");
        process.put("terminal", false);
        process.putObject("user").put("uid", 0).put("gid", 0);
        process.set("args", Json.strings(command));
        process.set("env", Json.strings(List.of(PATH_ENV)));
        process.put("cwd", "/");
        process.set("capabilities", CapsEmitter.ociCapabilities(new CapabilitySet(c.capabilities(), Set.of(), Set.of(0))));
        ArrayNode rlimits = process.putArray("rlimits");
        rlimits.addObject().put("type", "RLIMIT_NOFILE").put("hard", 1024).put("soft", 1024);
        process.put("noNewPrivileges", c.noNewPrivileges());
        root.putObject("root").put("path", rootfs.toString()).put("readonly", false);
        root.put("hostname", hostname);
        ArrayNode mounts = root.putArray("mounts");
        mount(mounts, "/proc", "proc", "proc");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime", "ro");
        ObjectNode linux = root.putObject("linux");
        linux.putObject("resources").putArray("devices").addObject().put("allow", false).put("access", "rwm");
        ArrayNode ns = linux.putArray("namespaces");
        for (String t : List.of("pid", "network", "ipc", "uts", "mount")) {
            ns.addObject().put("type", t);
        }
        linux.set("seccomp", SeccompProfileWriter.toOciJson(c.effective().asProfile()));
        linux.set("maskedPaths", Json.strings(List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
                "/proc/scsi")));
        linux.set("readonlyPaths", Json.strings(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                "/proc/sysrq-trigger")));
        return root;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode m = mounts.addObject();
        m.put("destination", destination).put("type", type).put("source", source);
        if (options.length > 0) {
            m.set("options", Json.strings(List.of(options)));
        }
    }
}
