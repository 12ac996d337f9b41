package io.eunomia.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The floor under issue 15's web-server target ({@code --part web-floor}): what nginx loses to the
 * syscall hook machinery alone, before any sensor does work. Sides per round, the order rotated:
 * nothing attached; {@code tp-other} (perf tracepoints on a call nginx never makes: every syscall
 * takes the kernel's slow path, as it does under any monitor that uses syscall tracepoints); and
 * {@code noop-pair} (tp_btf sys_enter and sys_exit programs that return at once: the floor of the
 * monitor's 32-bit dispatcher pair). {@code hook_hold} holds each configuration of syscallpath.bpf.o
 * attached while its side runs. Same cases, pinning and figures as {@link WebBench}.
 */
final class WebFloorBench {
    private static final List<String> SIDES = List.of("none", HookHold.TP_OTHER, HookHold.NOOP_PAIR);

    private WebFloorBench() {}

    static void run(Path holder, Path object, int rounds) throws Exception {
        WebBench.Pinning pin = WebBench.Pinning.forThisMachine();
        try (NginxServer nginx = NginxServer.start(pin.nginx())) {
            System.out.printf("%n== the web server's floor: nginx %s, one worker (pid %d), sides %s rotated per round,"
                    + " %d rounds; %s; %s%n", nginx.url(""), nginx.workerPid(), SIDES, rounds, pin.said(), Uptime.now());
            WebBench bench = WebBench.unmonitored(nginx, pin);
            // hooked side -> case -> each round's [none, hooked]
            Map<String, Map<WebBench.WebCase, List<WebBench.Side[]>>> pairs = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                String load = Uptime.now();
                Map<String, Map<WebBench.WebCase, WebBench.Side>> round = new LinkedHashMap<>();
                for (int k = 0; k < SIDES.size(); k++) {
                    String side = SIDES.get((k + r) % SIDES.size());
                    round.put(side, side.equals("none") ? bench.side(null) : held(holder, object, side, bench));
                }
                StringBuilder line = new StringBuilder(String.format("   round %d (%s):", r + 1, load));
                for (String side : SIDES.subList(1, SIDES.size())) {
                    round.get("none").forEach((c, none) -> {
                        WebBench.Side hooked = round.get(side).get(c);
                        pairs.computeIfAbsent(side, s -> new LinkedHashMap<>()).computeIfAbsent(c, x -> new ArrayList<>())
                                .add(new WebBench.Side[] {none, hooked});
                        line.append(String.format(Locale.ROOT, " %s %s worker %.1f/%.1f µs;", side, c.name(),
                                none.nginxMicros(), hooked.nginxMicros()));
                    });
                }
                System.out.println(line);
            }
            table(pairs);
        }
    }

    /** One side with the configuration attached by hook_hold for its duration. */
    private static Map<WebBench.WebCase, WebBench.Side> held(Path holder, Path object, String config, WebBench bench)
            throws Exception {
        try (HookHold hold = HookHold.attach(holder, object, config)) {
            return bench.side(null);
        }
    }

    private static void table(Map<String, Map<WebBench.WebCase, List<WebBench.Side[]>>> pairs) {
        System.out.println("""

                | hooks | case | figure | none (median) | hooked (median) | hooked vs none, median (CI) over rounds |
                |---|---|---|---|---|---|""");
        pairs.forEach((side, cases) -> cases.forEach((c, rounds) -> {
            WebBench.WebCase named = new WebBench.WebCase(side + " | " + c.name(), c.page(), c.closeEach());
            WebBench.row(named, "req/s", rounds, WebBench.Side::requestsPerSecond, "%.0f", "throughput loss",
                    (off, on) -> 100 * (1 - on / off));
            WebBench.row(named, "nginx worker CPU per request", rounds, WebBench.Side::nginxMicros, "%.2f µs",
                    "capacity loss", (off, on) -> 100 * (1 - off / on));
        }));
        System.out.println("(tp-other: syscall tracepoints on, nothing run for nginx's calls; noop-pair: tp_btf sys_enter +"
                + " sys_exit returning at once, on every call)");
    }
}
