package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code eunomia ctl}'s answers as text for people. */
final class CtlText {
    private CtlText() {}

    static void print(PrintStream out, String verb, JsonNode body) {
        switch (verb) {
            case "status" -> status(out, body);
            case "alerts" -> {
                for (JsonNode a : body) {
                    out.println(a.path("time").asText() + " " + a.path("priority").asText() + " " + a.path("rule").asText()
                            + ": " + a.path("output").asText().replace('\n', ' '));
                }
                if (body.isEmpty()) {
                    out.println("(no alerts)");
                }
            }
            case "reload" -> {
                if (body.path("ok").asBoolean()) {
                    out.println("reloaded: " + body.path("rules").asInt() + " rules");
                } else {
                    out.println("not reloaded; the running " + body.path("rules").asInt() + " rules stay:");
                    body.path("errors").forEach(e -> out.println("  " + e.asText()));
                }
            }
            case "sensor" -> out.println("sensor " + body.path("sensor").asText() + " "
                    + (body.path("attached").asBoolean() ? "started" : "stopped")
                    + (body.path("changed").asBoolean() ? "" : " (it was already)") + ": " + body.path("note").asText()
                    + (body.path("rules").isEmpty() ? "" : "\n  " + String.join("\n  ", strings(body.path("rules")))));
            case "mode" -> out.println("profile " + body.path("profile").asText() + " now in " + body.path("mode").asText()
                    + " mode (containers: " + (body.path("containers").isEmpty() ? "none running"
                    : String.join(", ", strings(body.path("containers")))) + ")");
            case "learn" -> {
                out.println("container " + body.path("container").asText() + ": " + body.path("note").asText());
                for (JsonNode p : body.path("profiles")) {
                    out.println("  " + p.path("file").asText() + " (" + p.path("syscalls").asInt() + " syscalls)");
                }
            }
            default -> out.println(body.toPrettyString());
        }
    }

    private static void status(PrintStream out, JsonNode s) {
        out.printf("monitor pid %d, up %d s: %d rules, %d events received, %d alerts raised%n", s.path("pid").asLong(),
                s.path("uptimeSeconds").asLong(), s.path("rules").asInt(), s.path("eventsReceived").asLong(),
                s.path("alertsRaised").asLong());
        out.println();
        String fmt = "%-10s %-9s %-26s %s%n";
        out.printf(fmt, "SENSOR", "STATE", "EVENTS", "RULES READING IT");
        for (JsonNode x : s.path("sensors")) {
            String state = x.path("attached").asBoolean() ? "attached" : x.path("loaded").asBoolean() ? "detached" : "-";
            out.printf(fmt, x.path("name").asText(), state, String.join(",", strings(x.path("eventTypes"))),
                    x.path("rules").size());
        }
        if (s.hasNonNull("calls32")) {
            out.println(s.path("calls32").asText());
        }
        out.println();
        if (!s.path("profiles").isEmpty()) {
            out.printf("%-28s %-8s %s%n", "PROFILE", "MODE", "CONTAINERS");
            for (JsonNode p : s.path("profiles")) {
                out.printf("%-28s %-8s %s%n", p.path("profile").asText(), p.path("mode").asText(),
                        String.join(", ", strings(p.path("containers"))));
            }
            out.println();
        }
        if (!s.path("learning").isEmpty()) {
            out.printf("%-28s %-24s %s%n", "LEARNING", "SINCE", "PROFILES");
            for (JsonNode l : s.path("learning")) {
                List<String> files = new ArrayList<>();
                l.path("profiles").forEach(p -> files.add(p.path("file").asText() + " (" + p.path("syscalls").asInt() + " syscalls)"));
                out.printf("%-28s %-24s %s%n", l.path("container").asText(), l.path("since").asText(),
                        files.isEmpty() ? "(nothing yet)" : String.join(", ", files));
            }
            out.println();
        }
        out.printf("%-14s %-24s %-32s %-10s %8s%n", "CONTAINER ID", "NAME", "IMAGE", "RUNTIME", "EVENTS");
        for (JsonNode c : s.path("containers")) {
            String id = c.path("id").asText();
            out.printf("%-14s %-24s %-32s %-10s %8d%n", id.length() > 12 ? id.substring(0, 12) : id, c.path("name").asText(),
                    c.path("image").asText(), c.path("runtime").asText(), c.path("events").asLong());
        }
        JsonNode d = s.path("drops");
        long kernel = 0;
        for (JsonNode v : d.path("kernelLost")) {
            kernel += v.asLong();
        }
        long output = 0;
        for (JsonNode v : d.path("outputLost")) {
            output += v.asLong();
        }
        out.printf("%ndrops: %d lost in the kernel, %d dropped before the rules (queue full), %d alerts not delivered%n",
                kernel, d.path("queueDropped").asLong(), output);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
