package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.testkit.Binaries;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BPF stack each program's deepest call chain uses, against the verifier's 512 bytes: every object
 * the sensors ship is loaded with the verifier's statistics on (stack_depths.c: each function's stack
 * and the calls between them, read from the loaded program), the chains are walked as the verifier's
 * check_max_stack_depth walks them (each frame rounded up to 16, the JIT's granularity) and a table of
 * every program's figure and headroom is printed. A program whose chain leaves less than the margin
 * (system property eunomia.bpf.stackMargin, bytes, default {@link #DEFAULT_MARGIN}) fails the test,
 * named with its chain, before a change makes the verifier reject it at the monitor's start.
 *
 * <p>Two figures, because kernels differ: on 6.13 and later with the x86-64 JIT a tracing program runs
 * each function of 64 bytes or more on a private stack, so only the smaller frames add up and each
 * frame must fit alone; older kernels and other JITs add every frame. Measured on 6.18: file.bpf.o's
 * compat_exit (it tail-calls) loads with a chain of 80+272+224 = 576 bytes of all its frames, so this
 * kernel gives it private stacks although kernel/bpf/verifier.c of some versions denies them to
 * programs with tail calls. The test fails on the rule of the kernel it runs on, and prints the
 * programs a kernel without private stacks would reject.
 */
class StackDepthTest {
    static final int MAX_BPF_STACK = 512;
    static final int DEFAULT_MARGIN = 16;
    /** BPF_PRIV_STACK_MIN_SIZE: smaller frames stay on the shared stack. */
    private static final int PRIV_STACK_MIN = 64;
    private static final int KPROBE = 2;
    private static final int TRACEPOINT = 5;
    private static final int PERF_EVENT = 7;
    private static final int RAW_TRACEPOINT = 17;
    private static final int TRACING = 26;
    private static final int TRACE_ITER = 28;

    /** One program: its type, whether it tail-calls, each function's stack and the calls between them. */
    record Program(String object, String name, int type, int attachType, boolean tailCalls, int[] depths, int[][] calls) {
        static Program parse(String object, String line) {
            String[] f = line.split(" ");
            if (f.length != 6 || f[3].equals("?") || f[5].equals("?") || f[5].contains("-1")) {
                throw new AssertionError(object + ": the call graph of a program could not be read from the loaded "
                        + "instructions (stack_depths.c expects the JIT's form of a call: bpf_jit_enable=1): " + line);
            }
            int[] depths = Arrays.stream(f[4].split("\\+")).mapToInt(Integer::parseInt).toArray();
            int[][] calls = f[5].equals("-") ? new int[0][] : Arrays.stream(f[5].split(","))
                    .map(c -> c.split(">")).map(c -> new int[] {Integer.parseInt(c[0]), Integer.parseInt(c[1])})
                    .toArray(int[][]::new);
            return new Program(object, f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3].equals("1"), depths, calls);
        }

        /** The verifier's frame size: rounded up to 16 when the program is JITed (this test's kernels). */
        int frame(int fn) {
            return (depths[fn] + 15) / 16 * 16;
        }

        /** The deepest chain from the main function, counting only the frames shared says share the stack. */
        Chain deepest(java.util.function.IntPredicate shared) {
            return deepest(0, shared);
        }

        private Chain deepest(int fn, java.util.function.IntPredicate shared) {
            Chain best = new Chain(0, List.of());
            for (int[] c : calls) {
                if (c[0] == fn) {
                    Chain below = deepest(c[1], shared);
                    if (below.bytes() > best.bytes() || best.functions().isEmpty()) {
                        best = below;
                    }
                }
            }
            List<Integer> path = new ArrayList<>();
            path.add(fn);
            path.addAll(best.functions());
            return new Chain(best.bytes() + (shared.test(fn) ? frame(fn) : 0), path);
        }

        /** What the classic rule sums: every frame of the deepest chain. */
        Chain classic() {
            return deepest(fn -> true);
        }

        /** Whether the kernel gives this program's larger frames private stacks (verifier.c, bpf_enable_priv_stack). */
        boolean privateStackType() {
            return type == KPROBE || type == TRACEPOINT || type == PERF_EVENT || type == RAW_TRACEPOINT
                    || type == TRACING && attachType != TRACE_ITER;
        }

        /** The bytes the verifier of a kernel with private stacks (or without) counts against 512. */
        int enforced(boolean kernelHasPrivateStacks) {
            if (!kernelHasPrivateStacks || !privateStackType()) {
                return classic().bytes();
            }
            int largestPrivate = 0;
            for (int fn = 0; fn < depths.length; fn++) {
                if (frame(fn) >= PRIV_STACK_MIN) {
                    largestPrivate = Math.max(largestPrivate, frame(fn));
                }
            }
            return Math.max(largestPrivate, deepest(fn -> frame(fn) < PRIV_STACK_MIN).bytes());
        }

        String describe(Chain c) {
            StringBuilder s = new StringBuilder();
            for (int fn : c.functions()) {
                s.append(s.isEmpty() ? "" : " -> ").append(fn == 0 ? name : "function " + fn).append(" (").append(frame(fn)).append(')');
            }
            return s.toString();
        }
    }

    record Chain(int bytes, List<Integer> functions) {}

    @Test
    void everyProgramsDeepestCallChainLeavesTheMargin(@TempDir Path dir) throws Exception {
        int margin = Integer.getInteger("eunomia.bpf.stackMargin", DEFAULT_MARGIN);
        boolean privateStacks = kernelHasPrivateStacks();
        Path helper = compile(dir);
        List<Program> programs = new ArrayList<>();
        for (Path object : objects()) {
            programs.addAll(load(helper, object));
        }
        assertThat(programs).as("programs read from the sensors' objects").hasSizeGreaterThan(20);
        programs.sort(Comparator.comparingInt((Program p) -> -p.classic().bytes()));
        System.out.printf("BPF stack of each program's deepest call chain (of %d bytes; this kernel %s private stacks)%n",
                MAX_BPF_STACK, privateStacks ? "gives tracing programs" : "has no");
        System.out.printf("%-18s %-28s %8s %9s %s%n", "object", "program", "enforced", "headroom",
                "all frames (kernels without private stacks): the deepest chain, frames rounded to 16; +tail: it tail-calls");
        List<String> tooDeep = new ArrayList<>();
        List<String> elsewhere = new ArrayList<>();
        for (Program p : programs) {
            int enforced = p.enforced(privateStacks);
            Chain classic = p.classic();
            System.out.printf("%-18s %-28s %8d %9d %d%s: %s%n", p.object(), p.name(), enforced, MAX_BPF_STACK - enforced,
                    classic.bytes(), p.tailCalls() ? " +tail" : "", p.describe(classic));
            if (enforced > MAX_BPF_STACK - margin) {
                tooDeep.add(p.object() + " " + p.name() + ": " + enforced + " bytes of " + MAX_BPF_STACK
                        + " (headroom " + (MAX_BPF_STACK - enforced) + ", margin " + margin + "); deepest chain "
                        + p.describe(classic));
            }
            if (classic.bytes() > MAX_BPF_STACK) {
                elsewhere.add(p.object() + " " + p.name() + " (" + classic.bytes() + ")");
            }
        }
        if (!elsewhere.isEmpty()) {
            System.out.println("WARNING: a kernel without private BPF stacks (before 6.13, a JIT other than x86-64's) "
                    + "rejects: " + String.join(", ", elsewhere));
        }
        assertThat(tooDeep).as("programs whose deepest call chain leaves less than " + margin + " bytes of the BPF "
                + "stack: move a large local (a record, a map key, a path buffer) into a per-CPU array map (as "
                + "file.bpf.c's lookup key), or call the stack-hungry function from a shallower point of the chain; "
                + "-Deunomia.bpf.stackMargin=BYTES sets the margin").isEmpty();
    }

    /** 6.13 and later on the x86-64 JIT give tracing programs private stacks. */
    private static boolean kernelHasPrivateStacks() throws IOException {
        String[] v = System.getProperty("os.version").split("[.-]");
        boolean recent = Integer.parseInt(v[0]) > 6 || Integer.parseInt(v[0]) == 6 && Integer.parseInt(v[1]) >= 13;
        boolean jit = !Files.readString(Path.of("/proc/sys/net/core/bpf_jit_enable")).strip().equals("0");
        return recent && jit && System.getProperty("os.arch").equals("amd64");
    }

    /** The sensors' objects, as packaged next to this module's classes. */
    private static List<Path> objects() throws Exception {
        Path dir = Path.of(StackDepthTest.class.getResource("/io/eunomia/bpf/process.bpf.o").toURI()).getParent();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".bpf.o")).sorted().toList();
        }
    }

    private static Path compile(Path dir) throws Exception {
        Path src = dir.resolve("stack_depths.c");
        try (InputStream in = StackDepthTest.class.getResourceAsStream("/stack-depth/stack_depths.c")) {
            Files.copy(in, src);
        }
        Path out = dir.resolve("stack_depths");
        Ran r = run(List.of(Binaries.require("gcc", "gcc").toString(), "-O2", "-Wall", "-o", out.toString(), src.toString(), "-lbpf"));
        assertThat(r.exit()).as("gcc stack_depths.c -lbpf (Debian packages gcc, libbpf-dev): " + r.output()).isZero();
        return out;
    }

    private static List<Program> load(Path helper, Path object) throws Exception {
        Ran r = run(List.of(helper.toString(), object.toString()));
        assertThat(r.exit()).as(object + " did not load with the verifier's statistics on: " + r.output()).isZero();
        String name = object.getFileName().toString();
        return r.output().lines().filter(l -> !l.isBlank()).map(l -> Program.parse(name, l)).toList();
    }

    private record Ran(int exit, String output) {}

    private static Ran run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(cmd + " still runs after 120 s").isTrue();
        return new Ran(p.exitValue(), out);
    }
}
