package io.eunomia.bench;

import io.eunomia.bpf.CommonRecords;
import io.eunomia.event.ProcessInfo;
import io.eunomia.libbpf.BpfMap;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.RingBuffer;
import io.eunomia.abi.Arch;
import io.eunomia.abi.SyscallTable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Ring-buffer throughput: bench.bpf.c emits K EVT_BENCH records per getppid(BENCH_MAGIC) of the
 * loop, paced to an offered rate; records are decoded into Java records on one poller thread the
 * way KernelSensors does it (2 ms poll, then consume; the sensors' header decoding and container
 * attribution through {@link CommonRecords}, the body, subscribers). Loss is read from the
 * program's drops map, attempts from bench_attempted.
 */
final class RingThroughput {
    static final int RECORDS_PER_CALL = 32;
    /** struct bench_event of bench.bpf.c after its header: seq (u64), index (u32), pad. */
    private static final int SEQ = CommonRecords.HEADER_BYTES;
    private static final int INDEX = SEQ + 8;
    private static final int RECORD_BYTES = INDEX + 8;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    /** A decoded EVT_BENCH record (struct bench_event of bench.bpf.c). */
    record BenchRecord(long epochNanos, ProcessInfo process, long seq, int index) {}

    record Sub(Predicate<Object> filter, Consumer<Object> consumer) {}

    private final CopyOnWriteArrayList<Sub> subs = new CopyOnWriteArrayList<>();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong decodeErrors = new AtomicLong();

    /** Attribution as in KernelSensors: the benchmark pays what real events pay. */
    private final CommonRecords records = new CommonRecords();

    private RingThroughput() {}

    /** Mirrors KernelSensors.onRecord: decode, count, dispatch. */
    private void onRecord(MemorySegment data) {
        Object event;
        try {
            event = records.decode(data, CommonRecords.BENCH_TYPE,
                    (epochNanos, process, r) -> new BenchRecord(epochNanos, process, r.get(U64, SEQ), r.get(U32, INDEX)));
        } catch (RuntimeException e) {
            decodeErrors.incrementAndGet();
            return;
        }
        delivered.incrementAndGet();
        for (Sub s : subs) {
            if (s.filter.test(event)) {
                s.consumer.accept(event);
            }
        }
    }

    static void run(Path loop, boolean quick, int ringBytes) throws Exception {
        new RingThroughput().measure(loop, quick, ringBytes);
    }

    /** One step: producers loops, each paced to rate/producers records/s (0 = flat out). */
    record Step(long rate, int producers) {
        String label() {
            return (rate == 0 ? "max" : String.format(Locale.ROOT, "%.2fM", rate / 1e6)) + (producers > 1 ? " x" + producers : "");
        }
    }

    /** What one trial of a step measured. */
    record Trial(long produced, long delivered, long lost, double producedRate, double deliveredRate, double cpuPerRecord) {}

    private void measure(Path loop, boolean quick, int ringBytes) throws Exception {
        double seconds = quick ? 0.4 : 1.0;
        int trials = quick ? 1 : 3;
        List<Step> steps = new ArrayList<>();
        for (long r : quick ? new long[] {500_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 5_000_000, 0}
                : new long[] {250_000, 500_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000, 6_000_000, 0}) {
            steps.add(new Step(r, 1));
        }
        // Two flat-out producers on a 2-CPU machine: the poller now competes for a CPU.
        steps.add(new Step(0, 2));
        // One subscriber, as a pipeline has: dispatch cost is part of what is measured.
        long[] indexSum = new long[1];
        subs.add(new Sub(e -> e instanceof BenchRecord, e -> indexSum[0] += ((BenchRecord) e).index()));

        try (BpfObject obj = BpfObject.open("bench.bpf.o", readResource("/io/eunomia/bpf/bench.bpf.o"))) {
            obj.map("events").setMaxEntries(ringBytes);
            obj.load();
            CommonRecords.enable(obj, 1_000_000);
            int getppid = SyscallTable.of(Arch.current()).number("getppid").orElseThrow();
            obj.map("bench_control").update(new byte[4], ByteBuffer.allocate(8).order(ByteOrder.nativeOrder())
                    .putInt(getppid).putInt(RECORDS_PER_CALL).array());
            obj.attachAll();
            RingBuffer ring = RingBuffer.open(obj.map("events"), this::onRecord);
            // The KernelSensors poll loop: records sent without a wake-up are only seen by consume().
            Thread poller = Thread.ofPlatform().name("bench-poller").daemon(true).start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    ring.poll(2);
                    ring.consume();
                }
            });
            try {
                Context ctx = new Context(loop, obj.map("drops"), obj.map("bench_attempted"), poller.threadId());
                trial(ctx, new Step(1_000_000, 1), 0.3);  // warm-up: JIT-compile the decode path
                System.out.printf("%n== Ring buffer: %d-byte ring, %d records of %d bytes per syscall, ~%.1f s per trial, "
                        + "%d trial(s) per step (medians; lost = sum)%n", ringBytes, RECORDS_PER_CALL, RECORD_BYTES,
                        seconds, trials);
                System.out.printf("%-12s %13s %13s %11s %8s %10s %14s%n", "offered/s", "produced/s", "delivered/s", "lost",
                        "loss %", "lossy", "poller ns/rec");
                double bestLossless = 0;
                String firstLoss = null;
                for (Step step : steps) {
                    List<Trial> ts = new ArrayList<>();
                    for (int t = 0; t < trials; t++) {
                        ts.add(trial(ctx, step, seconds));
                    }
                    long lost = ts.stream().mapToLong(Trial::lost).sum();
                    long produced = ts.stream().mapToLong(Trial::produced).sum();
                    long lossy = ts.stream().filter(t -> t.lost() > 0 || t.delivered() != t.produced()).count();
                    double delivered = Bench.median(ts.stream().map(Trial::deliveredRate).toList());
                    System.out.printf(Locale.ROOT, "%-12s %13.0f %13.0f %11d %7.2f%% %6d/%-3d %14.0f%n", step.label(),
                            Bench.median(ts.stream().map(Trial::producedRate).toList()), delivered, lost,
                            100.0 * lost / Math.max(1, produced), lossy, trials,
                            Bench.median(ts.stream().map(Trial::cpuPerRecord).toList()));
                    for (Trial t : ts) {
                        if (t.lost() == 0 && t.delivered() == t.produced()) {
                            bestLossless = Math.max(bestLossless, t.deliveredRate());
                        }
                    }
                    if (lossy > 0 && firstLoss == null) {
                        firstLoss = step.label();
                    }
                }
                System.out.printf(Locale.ROOT, "best lossless delivery: %.2fM records/s; first step with loss: %s; decode errors %d%n",
                        bestLossless / 1e6, firstLoss == null ? "none" : firstLoss, decodeErrors.get());
            } finally {
                poller.interrupt();
                poller.join(2_000);
            }
        }
    }

    private record Context(Path loop, BpfMap drops, BpfMap attempted, long pollerThread) {}

    /** Records lost, every reason: a full ring, and those shed by rank as it fills (the loop is a flood: common.bpf.h, ring_shed). */
    private static long lost(BpfMap drops) {
        long sum = 0;
        for (int reason = 0; reason < drops.maxEntries(); reason++) {
            sum += drops.sumPerCpuU64(reason);
        }
        return sum;
    }

    private Trial trial(Context ctx, Step step, double seconds) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = step.rate() == 0 ? (long) (3_000_000 * seconds) : (long) (step.rate() * seconds);
        long calls = total / RECORDS_PER_CALL / step.producers();
        long pace = step.rate() == 0 ? 0 : RECORDS_PER_CALL * 1_000_000_000L * step.producers() / step.rate();
        long a0 = ctx.attempted().sumPerCpuU64(0);
        long l0 = lost(ctx.drops());
        long d0 = delivered.get();
        long cpu0 = threads.getThreadCpuTime(ctx.pollerThread());
        long t0 = System.nanoTime();
        List<Process> ps = new ArrayList<>();
        for (int i = 0; i < step.producers(); i++) {
            ps.add(new ProcessBuilder(ctx.loop().toString(), "emit", Long.toString(calls), Long.toString(pace))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        double longestNanos = 0;
        for (Process p : ps) {
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("syscall_loop emit failed: " + out);
            }
            longestNanos = Math.max(longestNanos, Double.parseDouble(out.split("\\s+")[0]) * calls);
        }
        long produced = ctx.attempted().sumPerCpuU64(0) - a0;
        long deadline = System.nanoTime() + 5_000_000_000L;
        long lost;
        while (true) {
            lost = lost(ctx.drops()) - l0;
            if (delivered.get() - d0 + lost >= produced || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(1);
        }
        long t1 = System.nanoTime();
        long got = delivered.get() - d0;
        // The poller's CPU per record: upcall, decode, dispatch, and its idle polls.
        double cpu = (threads.getThreadCpuTime(ctx.pollerThread()) - cpu0) / (double) Math.max(1, got);
        return new Trial(produced, got, lost, produced / (longestNanos / 1e9), got / ((t1 - t0) / 1e9), cpu);
    }

    static byte[] readResource(String name) throws IOException {
        try (InputStream in = RingThroughput.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing: build the bench module (bench/run.sh does)");
            }
            return in.readAllBytes();
        }
    }
}
