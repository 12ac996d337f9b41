import io.eunomia.bpf.internal.BoundedLooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The wake-ups and CPU a bounded look costs its caller and its worker, as the poller pays them:
 * rounds of 4 ms (parked between), each with BURST looks a few µs apart (a lstat below
 * /proc/self/root, as a walk's first steps), for SECONDS. Prints per look: the caller's and the
 * workers' voluntary and involuntary context switches and CPU µs (/proc/self/task/TID/{status,stat}).
 * Run against a monitor jar, e.g. main's and a branch's, alternated:
 *   java --enable-native-access=ALL-UNNAMED -cp JAR bench/LookWakes.java [BURST] [SECONDS]
 */
public class LookWakes {
    public static void main(String[] args) throws Exception {
        Thread.currentThread().setName("look-caller");  // its own name in /proc (the thread's comm)
        int burst = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        Path probe = Path.of("/proc/self/root/etc/passwd");
        long looksDone = 0;
        try (BoundedLooks looks = new BoundedLooks("lookwakes-", 500_000_000L, 2)) {
            for (int i = 0; i < 2000; i++) {  // warm-up: JIT, the worker thread
                looks.run(1, () -> Files.exists(probe, LinkOption.NOFOLLOW_LINKS));
            }
            Map<String, long[]> before = threads();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                long round = System.nanoTime();
                for (int i = 0; i < burst; i++) {
                    looks.run(1, () -> Files.exists(probe, LinkOption.NOFOLLOW_LINKS));
                    looksDone++;
                    busy(3_000L);  // the records decoded between two looks
                }
                LockSupport.parkNanos(round + 4_000_000L - System.nanoTime());
            }
            Map<String, long[]> after = threads();
            long[] caller = minus(after.get("look-caller"), before.get("look-caller"));
            long[] workers = new long[3];
            for (var e : after.entrySet()) {
                if (e.getKey().startsWith("lookwakes-")) {
                    long[] d = minus(e.getValue(), before.getOrDefault(e.getKey(), new long[3]));
                    for (int i = 0; i < 3; i++) {
                        workers[i] += d[i];
                    }
                }
            }
            System.out.printf("looks %d (%d per 4 ms round, %d s); timeouts %d, skipped %d%n", looksDone, burst, seconds,
                    looks.timeouts(), looks.skipped());
            System.out.printf("per look: caller %.3f voluntary + %.3f involuntary switches, %.1f µs CPU (the rounds' own wake-ups included: %.3f per look)%n",
                    caller[0] / (double) looksDone, caller[1] / (double) looksDone, caller[2] * 1e4 / looksDone, 1.0 / burst);
            System.out.printf("per look: workers %.3f voluntary + %.3f involuntary switches, %.1f µs CPU%n",
                    workers[0] / (double) looksDone, workers[1] / (double) looksDone, workers[2] * 1e4 / looksDone);
        }
    }

    private static void busy(long nanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            Thread.onSpinWait();
        }
    }

    private static long[] minus(long[] a, long[] b) {
        return new long[] {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
    }

    /** By thread name: voluntary and involuntary context switches, utime+stime in clock ticks (10 ms). */
    private static Map<String, long[]> threads() throws IOException {
        Map<String, long[]> out = new HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                long[] v = new long[3];
                String name = "";
                try {
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("Name:")) {
                            name = line.substring(5).trim();
                        } else if (line.startsWith("voluntary_ctxt_switches:")) {
                            v[0] = Long.parseLong(line.split("\\s+")[1]);
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            v[1] = Long.parseLong(line.split("\\s+")[1]);
                        }
                    }
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    v[2] = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (IOException gone) {
                    continue;
                }
                out.merge(name, v, (x, y) -> new long[] {x[0] + y[0], x[1] + y[1], x[2] + y[2]});
            }
        }
        return out;
    }
}
