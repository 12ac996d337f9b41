package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.bpf.internal.MissingHooks;
import io.eunomia.libbpf.BpfObject;
import io.eunomia.libbpf.BpfProgram;
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
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * named with its chain, before a change makes the verifier reject it at the monitor's start. Every
 * program of an object is accounted for (the helper prints the object's count and a line for each): a
 * program whose hook this kernel lacks is left out as the loader leaves it out ({@link MissingHooks})
 * and named; one loaded without a figure fails. libbpf's stderr is shown on failure, never parsed.
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
            if (f.length == 6 && f[4].equals("?")) {
                throw new AssertionError(object + ": program " + f[0] + " loaded, but the verifier's log has no \"stack "
                        + "depth\" line (log buffer of stack_depths.c too small?): " + line);
            }
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

    /** One object as stack_depths.c reported it: its programs judged, and those left off (their hook is missing here). */
    record Loaded(List<Program> programs, List<String> off) {
        /**
         * Every program of the object is accounted for: "programs N", then N lines, each loaded with its
         * figures or named off, and off exactly the programs asked to be.
         */
        static Loaded parse(String object, Ran r, Set<String> askedOff) {
            List<String> lines = r.output().lines().filter(l -> !l.isBlank()).toList();
            String context = " (stdout:\n" + r.output() + "stderr:\n" + r.errors() + ")";
            assertThat(lines).as(object + ": stack_depths.c printed nothing" + context).isNotEmpty();
            assertThat(lines.getFirst()).as(object + ": the first line names the object's program count" + context)
                    .matches("programs [0-9]+");
            int count = Integer.parseInt(lines.getFirst().substring("programs ".length()));
            List<String> rows = lines.subList(1, lines.size());
            assertThat(rows).as(object + ": one line per program of the object" + context).hasSize(count);
            List<Program> programs = new ArrayList<>();
            List<String> off = new ArrayList<>();
            for (String row : rows) {
                if (row.matches("\\S+ off")) {
                    off.add(row.substring(0, row.indexOf(' ')));
                } else {
                    programs.add(Program.parse(object, row));
                }
            }
            assertThat(off).as(object + ": the programs not loaded are those whose hook is missing" + context)
                    .containsExactlyInAnyOrderElementsOf(askedOff);
            return new Loaded(programs, off);
        }
    }

    @Test
    void everyProgramsDeepestCallChainLeavesTheMargin(@TempDir Path dir) throws Exception {
        int margin = Integer.getInteger("eunomia.bpf.stackMargin", DEFAULT_MARGIN);
        boolean privateStacks = kernelHasPrivateStacks();
        Path helper = compile(dir);
        List<Program> programs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path object : objects()) {
            String name = object.getFileName().toString();
            Set<String> missing = missingHooks(object);
            Loaded loaded = load(helper, object, missing);
            programs.addAll(loaded.programs());
            loaded.off().forEach(p -> skipped.add(name + " " + p));
        }
        if (!skipped.isEmpty()) {
            System.out.println("Not judged: this kernel lacks their hook, so the loader leaves them out (MissingHooks): "
                    + String.join(", ", skipped));
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

    /**
     * A program turned off is named as such and still counted: the object's every program is accounted for
     * (before, a program without a "stack depth" line, one not loaded, went unnoticed).
     */
    @Test
    void aProgramLeftOffIsNamedAndEveryProgramIsCounted(@TempDir Path dir) throws Exception {
        Path helper = compile(dir);
        Path object = objects().stream().filter(o -> o.getFileName().toString().equals("process.bpf.o")).findFirst()
                .orElseThrow();
        List<String> names;
        try (BpfObject obj = BpfObject.open("process.bpf.o", Files.readAllBytes(object))) {
            names = List.copyOf(obj.programs().keySet());
        }
        assertThat(names).as("process.bpf.o's programs").hasSizeGreaterThan(1);
        String off = names.getFirst();
        Loaded loaded = load(helper, object, Set.of(off));
        assertThat(loaded.off()).containsExactly(off);
        assertThat(loaded.programs()).extracting(Program::name)
                .containsExactlyInAnyOrderElementsOf(names.stream().filter(n -> !n.equals(off)).toList());
    }

    /**
     * A program past 32K instructions (file.bpf.o's compat_exit with the 32-bit time calls) has calls whose
     * relative target no longer fits the 16-bit field the kernel dumps it in: the helper still names each
     * callee (far_calls.bpf.c: calls 32K+ instructions ahead and behind), so the chain is judged whole.
     * Before, those calls were read as callee -1 and the object failed as unreadable.
     */
    @Test
    void callsFartherThanASixteenBitOffsetReachTheirCallee(@TempDir Path dir) throws Exception {
        Path helper = compile(dir);
        Path object = Path.of(StackDepthTest.class.getResource("/io/eunomia/bpf/far_calls.bpf.o").toURI());
        Loaded loaded = load(helper, object, Set.of());
        assertThat(loaded.programs()).hasSize(1);
        Program p = loaded.programs().getFirst();
        assertThat(p.depths()).containsExactly(32, 64, 128);
        assertThat(Arrays.stream(p.calls()).map(c -> c[0] + ">" + c[1])).containsExactlyInAnyOrder("0>1", "0>2", "2>1");
        Chain deepest = p.classic();
        assertThat(deepest.functions()).containsExactly(0, 2, 1);
        assertThat(deepest.bytes()).isEqualTo(32 + 128 + 64);
    }

    /**
     * The programs of an object whose hook this kernel lacks, as the product's loader decides it
     * ({@link MissingHooks}: e.g. tp_btf/cap_capable before 6.14): the loader never loads them.
     */
    private static Set<String> missingHooks(Path object) throws IOException {
        String file = object.getFileName().toString();
        try (BpfObject obj = BpfObject.open(file, Files.readAllBytes(object))) {
            Set<String> before = obj.programs().values().stream().filter(p -> !p.autoload()).map(BpfProgram::name)
                    .collect(Collectors.toSet());
            try {
                MissingHooks.disable(file.substring(0, file.length() - ".bpf.o".length()), obj);
            } catch (SensorUnavailableException none) {
                System.out.println(file + ": " + none.getMessage());
                return obj.programs().keySet();
            }
            return obj.programs().values().stream().filter(p -> !p.autoload() && !before.contains(p.name()))
                    .map(BpfProgram::name).collect(Collectors.toSet());
        }
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
        assertThat(r.exit()).as("gcc stack_depths.c -lbpf (Debian packages gcc, libbpf-dev): " + r.output() + r.errors()).isZero();
        return out;
    }

    /** The object loaded with the verifier's statistics on, the programs {@code off} left out. */
    private static Loaded load(Path helper, Path object, Set<String> off) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(helper.toString(), object.toString()));
        cmd.addAll(off.stream().sorted().toList());
        Ran r = run(cmd);
        assertThat(r.exit()).as(object + " did not load with the verifier's statistics on: " + r.errors()
                + "\n(stdout: " + r.output() + ")").isZero();
        return Loaded.parse(object.getFileName().toString(), r, off);
    }

    /** A command's exit, stdout (what is parsed) and stderr (libbpf's messages: shown, never parsed). */
    record Ran(int exit, String output, String errors) {}

    private static Ran run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        // stderr on a thread of its own: a full pipe would block the helper while stdout is read
        java.util.concurrent.CompletableFuture<String> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (InputStream e = p.getErrorStream()) {
                return new String(e.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException ex) {
                return "(stderr unreadable: " + ex + ")";
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(cmd + " still runs after 120 s").isTrue();
        return new Ran(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
    }
}
