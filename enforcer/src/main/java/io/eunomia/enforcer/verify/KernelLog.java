package io.eunomia.enforcer.verify;

import io.eunomia.abi.Arch;
import io.eunomia.libbpf.Libc;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seccomp's audit records from the kernel log ({@code /dev/kmsg}): with no audit daemon the kernel
 * prints each {@code SCMP_ACT_LOG} hit as {@code audit: type=1326 ... pid=N comm="x" ...
 * arch=c000003e syscall=133 ...}. A reader thread collects records from when {@link #start()} is
 * called until {@link #stop()}. The kernel rate-limits these lines (10 per 5 s by default);
 * suppressed ones are counted from its "callbacks suppressed" notes.
 */
public final class KernelLog implements AutoCloseable {
    private static final Path KMSG = Path.of("/dev/kmsg");
    private static final Pattern SECCOMP = Pattern.compile("type=1326 .*?\\bpid=(\\d+) .*?comm=\"([^\"]*)\""
            + ".*?\\barch=([0-9a-f]+) syscall=(\\d+)");
    private static final Pattern SUPPRESSED = Pattern.compile("(\\d+) callbacks suppressed|audit: printk limit exceeded");
    /** printk's clock and CLOCK_MONOTONIC may differ a little; records are matched by pid anyway. */
    private static final long SLACK_MICROS = 2_000_000;

    /**
     * One {@code SCMP_ACT_LOG} hit.
     *
     * @param arch the ABI of the call, empty when the record names one we have no table for
     */
    public record AuditRecord(int pid, String comm, Optional<Arch> arch, int syscall, long kernelMicros) {}

    private final FileChannel channel;
    private final long sinceMicros;
    private final List<AuditRecord> records = new ArrayList<>();
    private int suppressed;
    private Thread reader;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private KernelLog(FileChannel channel, long sinceMicros) {
        this.channel = channel;
        this.sinceMicros = sinceMicros;
    }

    /** Starts collecting (records from now on). Needs root (or CAP_SYSLOG). */
    public static KernelLog start() throws IOException {
        KernelLog log = new KernelLog(FileChannel.open(KMSG, StandardOpenOption.READ),
                Libc.clockNanos(Libc.CLOCK_MONOTONIC) / 1000 - SLACK_MICROS);
        log.reader = Thread.ofPlatform().name("eunomia-kmsg").daemon(true).start(log::readLoop);
        return log;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(16384);
        while (true) {
            buf.clear();
            try {
                int n = channel.read(buf);
                if (n < 0) {
                    return;
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // EPIPE: records were overwritten before we read them; the next read goes on.
                if (!channel.isOpen()) {
                    return;
                }
                continue;
            }
            buf.flip();
            accept(StandardCharsets.UTF_8.decode(buf).toString());
        }
    }

    /** One /dev/kmsg record: "prio,seq,micros,flags;message". */
    private void accept(String record) {
        int semi = record.indexOf(';');
        if (semi < 0) {
            return;
        }
        String[] head = record.substring(0, semi).split(",");
        if (head.length < 3) {
            return;
        }
        long micros;
        try {
            micros = Long.parseLong(head[2]);
        } catch (NumberFormatException e) {
            return;
        }
        if (micros < sinceMicros) {
            return;
        }
        String msg = record.substring(semi + 1);
        Matcher m = SECCOMP.matcher(msg);
        synchronized (this) {
            if (m.find()) {
                int audit = (int) Long.parseLong(m.group(3), 16);
                Optional<Arch> arch = java.util.Arrays.stream(Arch.values()).filter(a -> a.auditArch() == audit).findFirst();
                records.add(new AuditRecord(Integer.parseInt(m.group(1)), m.group(2), arch,
                        Integer.parseInt(m.group(4)), micros));
                return;
            }
            Matcher s = SUPPRESSED.matcher(msg);
            if (s.find() && (msg.contains("audit") || msg.contains("kauditd"))) {
                suppressed += s.group(1) != null ? Integer.parseInt(s.group(1)) : 1;
            }
        }
    }

    /** The records collected so far. */
    public synchronized List<AuditRecord> records() {
        return List.copyOf(records);
    }

    /** Kernel log lines about audit records the kernel did not print (its rate limit). */
    public synchronized int suppressed() {
        return suppressed;
    }

    /** Stops reading after giving the kernel a moment to print what is pending. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.close();
        if (reader != null) {
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
