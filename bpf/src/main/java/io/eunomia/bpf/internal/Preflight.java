package io.eunomia.bpf.internal;

import io.eunomia.bpf.SensorUnavailableException;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks what loading sensors needs before anything is loaded, so that a missing piece gives one
 * clear message instead of a libbpf error code.
 */
public final class Preflight {
    public static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    public static final Path TRACEFS = Path.of("/sys/kernel/tracing");

    private static final System.Logger LOG = System.getLogger(Preflight.class.getName());

    private Preflight() {}

    public static void check() {
        if (Libc.geteuid() != 0) {
            throw new SensorUnavailableException(
                    "eunomia must run as root to load BPF programs (euid is " + Libc.geteuid() + "): run it as root, e.g. with sudo");
        }
        if (!Files.isReadable(BTF)) {
            throw new SensorUnavailableException("this kernel has no BTF (" + BTF + " is missing): "
                    + "eunomia needs a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 5.4)");
        }
        try {
            BpfObject.requireLibbpf();
        } catch (ExceptionInInitializerError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SensorUnavailableException(cause.getMessage(), cause);
        } catch (LinkageError e) {
            throw new SensorUnavailableException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /**
     * tracepoint/* programs find their tracepoint id in tracefs. A fresh host may not have it
     * mounted: mount it (and say so) rather than fail.
     */
    public static synchronized void ensureTracefs() {
        if (Files.isDirectory(TRACEFS.resolve("events"))) {
            return;
        }
        int errno = Libc.mount("nodev", TRACEFS.toString(), "tracefs");
        if (errno != 0) {
            throw new SensorUnavailableException("tracefs is not mounted at " + TRACEFS + " and mounting it failed ("
                    + io.eunomia.libbpf.Errno.describe(errno) + "): mount it with: mount -t tracefs nodev " + TRACEFS);
        }
        LOG.log(System.Logger.Level.INFO, "mounted tracefs at " + TRACEFS + " (needed to attach syscall tracepoints)");
    }

    /** Whether a tracepoint exists, e.g. ("syscalls", "sys_enter_open") is absent on arm64. */
    public static boolean tracepointExists(String category, String name) {
        return Files.isDirectory(TRACEFS.resolve("events").resolve(category).resolve(name));
    }

    private static volatile java.util.Set<String> btfTracepoints;

    /** Whether the kernel BTF names a BTF tracepoint (tp_btf/NAME needs the type btf_trace_NAME). */
    public static boolean btfTracepointExists(String name) {
        java.util.Set<String> names = btfTracepoints;
        if (names == null) {
            names = readBtfTracepoints();
        }
        return names.contains(name);
    }

    private static volatile boolean btrfsInode;

    /**
     * Whether the kernel's own BTF (not a module's) names btrfs_inode: btrfs is built in, and the
     * programs' CO-RE relocations find its types whenever they load.
     */
    public static boolean vmlinuxHasBtrfsInode() {
        readBtfTracepoints();
        return btrfsInode;
    }

    /** Read once (the sensors load in parallel, and the BTF is megabytes). */
    private static synchronized java.util.Set<String> readBtfTracepoints() {
        java.util.Set<String> names = btfTracepoints;
        if (names == null) {
            names = new java.util.HashSet<>();
            try {
                String all = new String(Files.readAllBytes(BTF), java.nio.charset.StandardCharsets.ISO_8859_1);
                for (int i = all.indexOf("\0btf_trace_"); i >= 0; i = all.indexOf("\0btf_trace_", i + 1)) {
                    int end = all.indexOf('\0', i + 1);
                    names.add(all.substring(i + 11, end));
                }
                // A name in the string section: only btrfs's own code (built in) brings it into vmlinux's BTF.
                btrfsInode = all.contains("\0btrfs_inode\0");
            } catch (IOException e) {
                throw new SensorUnavailableException("cannot read " + BTF + ": " + e.getMessage(), e);
            }
            btfTracepoints = names;
        }
        return names;
    }
}
