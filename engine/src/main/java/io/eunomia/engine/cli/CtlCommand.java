package io.eunomia.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.eunomia.engine.Main;
import io.eunomia.engine.config.ListenAddress;
import io.eunomia.engine.control.ControlClient;
import io.eunomia.engine.control.ControlServer;
import io.eunomia.engine.control.TokenFile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code eunomia ctl}: talks to a running monitor's control API. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Ask a running monitor (its control API) for its status or change it while it runs.",
                "  status                      sensors, rules, containers, profiles, drops",
                "  alerts [N]                  the last N alerts (default 20)",
                "  reload                      reload the rules (errors at file:line:column)",
                "  sensor start|stop NAME      switch a sensor (process, file, net, cap, priv); names the rules that read it",
                "  mode REF monitor|enforce    switch a profile (REF: its name or a container's) between monitor and enforce",
                "  learn start|stop CONTAINER  learn a container's profile in the monitor; stop writes it"})
public class CtlCommand implements Callable<Integer> {
    /** Exit code when the monitor answered with an error (the message says what). */
    public static final int EXIT_REFUSED = 1;

    @Parameters(paramLabel = "ACTION", arity = "1..*", description = "status, alerts, reload, sensor, mode, learn and their arguments.")
    List<String> action;

    @Option(names = "--socket", paramLabel = "PATH", description = "The monitor's control socket. Default: /run/eunomia/eunomia.sock.")
    Path socket;

    @Option(names = "--url", paramLabel = "HOST:PORT", description = "The monitor's --control-listen address instead (with --token-file).")
    String address;

    @Option(names = "--token-file", paramLabel = "FILE", description = "The token of --url (the monitor's --control-token-file).")
    Path tokenFile;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text", converter = Converters.TextOrJson.class,
            description = "Tables for people, or the API's JSON. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() throws Exception {
        Request r = request();
        ControlClient.Answer a;
        try {
            a = new ControlClient(endpoint()).call(r.method(), r.path(), r.body());
        } catch (IOException e) {
            throw new CommandFailure(Main.EXIT_UNAVAILABLE, e.getMessage());
        }
        PrintStream out = System.out;
        if (format.equals("json")) {
            out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(a.body()));
        } else if (a.ok()) {
            CtlText.print(out, action.getFirst(), a.body());
        }
        if (!a.ok()) {
            System.err.println("eunomia: the monitor refused (" + a.status() + "): " + a.error());
            return EXIT_REFUSED;
        }
        return 0;
    }

    record Request(String method, String path, String body) {}

    private Request request() {
        String verb = action.getFirst();
        List<String> args = action.subList(1, action.size());
        return switch (verb) {
            case "status" -> expect(args, 0, "ctl status", new Request("GET", "/v1/status", null));
            case "alerts" -> {
                if (args.size() > 1 || (args.size() == 1 && !args.getFirst().matches("\\d{1,6}"))) {
                    throw usage("ctl alerts [N]: N is a number of alerts");
                }
                yield new Request("GET", "/v1/alerts?limit=" + (args.isEmpty() ? "20" : args.getFirst()), null);
            }
            case "reload" -> expect(args, 0, "ctl reload", new Request("POST", "/v1/rules/reload", null));
            case "sensor" -> {
                if (args.size() != 2 || !(args.get(0).equals("start") || args.get(0).equals("stop")) || !name(args.get(1))) {
                    throw usage("ctl sensor start|stop NAME (process, file, net, cap, priv)");
                }
                yield new Request("POST", "/v1/sensors/" + args.get(1) + "/" + args.get(0), null);
            }
            case "mode" -> {
                if (args.size() != 2 || !name(args.get(0)) || !(args.get(1).equals("monitor") || args.get(1).equals("enforce"))) {
                    throw usage("ctl mode REF monitor|enforce (REF: a profile's or a container's name)");
                }
                yield new Request("POST", "/v1/profiles/" + args.get(0) + "/mode", "{\"mode\":\"" + args.get(1) + "\"}");
            }
            case "learn" -> {
                if (args.size() != 2 || !(args.get(0).equals("start") || args.get(0).equals("stop")) || !name(args.get(1))) {
                    throw usage("ctl learn start|stop CONTAINER (its name or id)");
                }
                yield new Request("POST", "/v1/learning/" + args.get(1) + "/" + args.get(0), null);
            }
            default -> throw usage("'" + verb + "' is not an action: status, alerts, reload, sensor, mode or learn");
        };
    }

    /** A name that goes into a URL path as it is: no separator, no traversal, no escaping needed. */
    private static boolean name(String s) {
        return s.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,252}");
    }

    private static Request expect(List<String> args, int n, String form, Request r) {
        if (args.size() != n) {
            throw usage(form + " takes no arguments");
        }
        return r;
    }

    private static CommandFailure usage(String message) {
        return new CommandFailure(Main.EXIT_USAGE, message);
    }

    private ControlServer.Endpoint endpoint() {
        if (address != null) {
            if (socket != null) {
                throw usage("--url and --socket: choose one");
            }
            if (tokenFile == null) {
                throw usage("--url needs --token-file FILE (the monitor's --control-token-file)");
            }
            try {
                return new ControlServer.Endpoint.Tcp(ListenAddress.parse("--url", address.replaceFirst("^http://", "")
                        .replaceFirst("/$", "")), TokenFile.read(tokenFile));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        if (tokenFile != null) {
            throw usage("--token-file goes with --url");
        }
        return new ControlServer.Endpoint.Unix(socket != null ? socket : ControlServer.DEFAULT_SOCKET);
    }
}
