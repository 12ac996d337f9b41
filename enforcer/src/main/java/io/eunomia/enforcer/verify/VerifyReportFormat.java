package io.eunomia.enforcer.verify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.abi.Capability;
import io.eunomia.enforcer.internal.Json;
import java.util.Locale;
import java.util.stream.Collectors;

/** A verify report for people (a short table) or as JSON. */
public final class VerifyReportFormat {
    private VerifyReportFormat() {
    }

    public static String text(VerifyReport r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s container %s: exit %d after %d ms%n", r.runtime().cliName(),
                r.containerId().isEmpty() ? "(none)" : shortId(r.containerId()), r.exitCode(), r.elapsed().toMillis()));
        r.workload().ifPresentOrElse(w -> b.append(String.format(Locale.ROOT,
                        "workload %s (pid %d): seccomp filter %s, no_new_privs %s, CapEff %016x = %s%n", w.comm(), w.pid(),
                        w.seccompFilter() ? "on" : "OFF", w.noNewPrivs() ? "on" : "off", w.capEffective(),
                        w.effective().isEmpty() ? "(none)" : w.effective().stream().map(Capability::shortName)
                                .collect(Collectors.joining(",")))),
                () -> b.append("workload: never ran\n"));
        if (r.denied().isEmpty()) {
            b.append("denied: none\n");
        } else {
            b.append(String.format(Locale.ROOT, "denied: %d call(s)%n", r.denied().size()));
            b.append(String.format(Locale.ROOT, "  %-20s %-8s %-7s %6s  %-16s %-8s  %s%n", "SYSCALL", "ARCH", "ERRNO",
                    "COUNT", "BY", "WHEN", "PROFILE SAYS"));
            for (VerifyReport.DeniedCall d : r.denied()) {
                b.append(String.format(Locale.ROOT, "  %-20s %-8s %-7s %6d  %-16s %-8s  %s%n", d.name(), d.arch(),
                        d.errno(), d.count(), d.comm(), d.phase() == VerifyReport.Phase.WORKLOAD ? "workload" : "runtime",
                        d.profile()));
            }
        }
        if (!r.logged().isEmpty()) {
            b.append(String.format(Locale.ROOT, "logged (SCMP_ACT_LOG, allowed to run): %d call(s)%n", r.logged().size()));
            for (VerifyReport.LoggedCall l : r.logged()) {
                b.append(String.format(Locale.ROOT, "  %-20s %-8s %-16s %-8s seen by %s%n", l.name(), l.arch(), l.comm(),
                        l.phase() == VerifyReport.Phase.WORKLOAD ? "workload" : "runtime",
                        l.seenBy().stream().map(s -> s == VerifyReport.LogSource.KERNEL_LOG ? "kernel log" : "sensor")
                                .sorted().collect(Collectors.joining(", "))));
            }
        }
        for (String n : r.notes()) {
            b.append("note: ").append(n).append('\n');
        }
        b.append(r.clean() ? "verdict: nothing denied\n" : "verdict: DENIED (or not confined): see above\n");
        return b.toString();
    }

    public static String json(VerifyReport r) {
        ObjectNode o = Json.object();
        o.put("runtime", r.runtime().cliName());
        o.put("containerId", r.containerId());
        o.put("exitCode", r.exitCode());
        o.put("elapsedMillis", r.elapsed().toMillis());
        o.put("clean", r.clean());
        r.workload().ifPresent(w -> {
            ObjectNode wo = o.putObject("workload");
            wo.put("pid", w.pid());
            wo.put("comm", w.comm());
            wo.put("capEff", String.format(Locale.ROOT, "%016x", w.capEffective()));
            wo.set("capabilities", Json.strings(w.effective().stream().sorted().map(Capability::capName).toList()));
            wo.put("noNewPrivs", w.noNewPrivs());
            wo.put("seccompFilter", w.seccompFilter());
        });
        o.set("requestedCapabilities", Json.strings(r.requested().stream().sorted().map(Capability::capName).toList()));
        ArrayNode denied = o.putArray("denied");
        for (VerifyReport.DeniedCall d : r.denied()) {
            ObjectNode x = denied.addObject();
            x.put("syscall", d.name()).put("arch", d.arch()).put("errno", d.errno()).put("count", d.count())
                    .put("comm", d.comm()).put("pid", d.pid()).put("phase", d.phase().name().toLowerCase(Locale.ROOT))
                    .put("profile", d.profile());
            ArrayNode args = x.putArray("args");
            d.args().forEach(a -> args.add(Json.unsigned(a)));
        }
        ArrayNode logged = o.putArray("logged");
        for (VerifyReport.LoggedCall l : r.logged()) {
            ObjectNode x = logged.addObject();
            x.put("syscall", l.name()).put("arch", l.arch()).put("comm", l.comm())
                    .put("phase", l.phase().name().toLowerCase(Locale.ROOT));
            x.set("seenBy", Json.strings(l.seenBy().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).sorted().toList()));
        }
        o.set("notes", Json.strings(r.notes()));
        o.put("output", r.output());
        return Json.write(o);
    }

    private static String shortId(String id) {
        return id.length() == 64 ? id.substring(0, 12) : id;
    }
}
