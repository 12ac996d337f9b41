package io.eunomia.engine.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.eunomia.engine.control.internal.HttpExchange.Request;
import io.eunomia.engine.output.AlertFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The control API's routes, over {@link Controls}:
 * <pre>
 * GET  /v1/status                          sensors, rules, containers, profiles, drops
 * GET  /v1/alerts?limit=N                  the last N alerts (oldest first), as the JSON output writes them
 * POST /v1/rules/reload                    like SIGHUP, but answers with the result
 * POST /v1/sensors/NAME/start|stop         hot-plug a sensor; the answer names the rules that read it
 * POST /v1/profiles/REF/mode  {"mode":"enforce"}   REF: a container (name or id) or a profile
 * POST /v1/learning/CONTAINER/start|stop   learn a container's profile (stop writes it a last time)
 * </pre>
 */
public final class ControlApi {
    /** A response: status and JSON body. */
    public record Response(int status, JsonNode body) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Controls controls;
    private final int alertCapacity;

    public ControlApi(Controls controls, int alertCapacity) {
        this.controls = controls;
        this.alertCapacity = alertCapacity;
    }

    public Response handle(Request r) {
        try {
            return route(r);
        } catch (ControlException e) {
            return error(e.status(), e.getMessage());
        }
    }

    private Response route(Request r) {
        String[] p = r.path().replaceAll("/+$", "").split("/");
        // p[0] is "" (the path starts with /)
        if (p.length < 3 || !p[1].equals("v1")) {
            return error(404, "no such endpoint " + r.path() + "; the API is under /v1 (status, alerts, rules/reload, "
                    + "sensors/NAME/start|stop, profiles/REF/mode, learning/CONTAINER/start|stop)");
        }
        return switch (p[2]) {
            case "status" -> only(r, "GET", p.length == 3, () -> ok(controls.status()));
            case "alerts" -> only(r, "GET", p.length == 3, () -> alerts(r));
            case "rules" -> only(r, "POST", p.length == 4 && p[3].equals("reload"), () -> {
                Controls.ReloadResult res = controls.reloadRules();
                return new Response(res.ok() ? 200 : 422, JSON.valueToTree(res));
            });
            case "sensors" -> only(r, "POST", p.length == 5 && (p[4].equals("start") || p[4].equals("stop")),
                    () -> ok(controls.sensor(p[3], p[4].equals("start"))));
            case "profiles" -> only(r, "POST", p.length == 5 && p[4].equals("mode"), () -> ok(controls.mode(p[3], mode(r))));
            case "learning" -> only(r, "POST", p.length == 5 && (p[4].equals("start") || p[4].equals("stop")),
                    () -> ok(controls.learn(p[3], p[4].equals("start"))));
            default -> error(404, "no such endpoint " + r.path());
        };
    }

    private Response alerts(Request r) {
        int limit = 100;
        String given = r.query().get("limit");
        if (given != null) {
            try {
                limit = Integer.parseInt(given);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > alertCapacity) {
                throw new ControlException(400, "limit must be a whole number from 1 to " + alertCapacity + ", not '" + given + "'");
            }
        }
        ArrayNode out = JSON.createArrayNode();
        for (var a : controls.recentAlerts(limit)) {
            try {
                out.add(JSON.readTree(AlertFormat.JSON.format(a)));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Response(200, out);
    }

    private static String mode(Request r) {
        String text = new String(r.body(), StandardCharsets.UTF_8);
        JsonNode body;
        try {
            body = JSON.readTree(text.isBlank() ? "{}" : text);
        } catch (IOException e) {
            throw new ControlException(400, "the body is not JSON: send {\"mode\":\"monitor\"} or {\"mode\":\"enforce\"}");
        }
        JsonNode m = body == null ? null : body.get("mode");
        if (m == null || !m.isTextual()) {
            throw new ControlException(400, "say the mode: {\"mode\":\"monitor\"} or {\"mode\":\"enforce\"}");
        }
        return m.asText();
    }

    private static Response only(Request r, String method, boolean pathOk, java.util.function.Supplier<Response> action) {
        if (!pathOk) {
            return error(404, "no such endpoint " + r.path());
        }
        if (!r.method().equals(method)) {
            return error(405, r.path() + " takes " + method + ", not " + r.method());
        }
        return action.get();
    }

    private static Response ok(Object value) {
        return new Response(200, JSON.valueToTree(value));
    }

    static Response error(int status, String message) {
        return new Response(status, JSON.createObjectNode().put("error", message));
    }

    static byte[] bytes(JsonNode body) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
