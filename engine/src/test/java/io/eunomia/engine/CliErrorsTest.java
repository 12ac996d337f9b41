package io.eunomia.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Expected failures: a line naming what is wrong and what to do (plus, for usage mistakes, where
 * the help is), the documented exit status, no stack trace, no usage dump.
 */
class CliErrorsTest {

    record Result(int exit, String stdout, String stderr) {}

    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path lockDir;

    static Result run(ProcessBuilder pb) throws Exception {
        // A lock of its own: another monitor on the machine would add its warning to the exact stderr checked here.
        pb.environment().putIfAbsent("EUNOMIA_MONITOR_LOCK", lockDir.resolve("monitor.lock").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** In this JVM: for mistakes found before any sensor is loaded. */
    static Result inProcess(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(exit, out.toString(), err.toString());
    }

    /** One clear message, at most one hint line after it, nothing else. */
    static void assertOneMessage(Result r, int exit, String expected) {
        assertThat(r.exit()).as(r.stderr()).isEqualTo(exit);
        assertThat(r.stderr()).contains(expected).doesNotContain("\tat ").doesNotContain("Usage:")
                .doesNotContain("internal error").doesNotContain("Exception");
        assertThat(r.stderr().lines().toList()).as(r.stderr()).hasSizeBetween(1, 2)
                .allMatch(l -> l.startsWith("eunomia: ") || l.startsWith("/"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            monitor --format yaml                      | 'yaml' is not a format: use text, json or csv
            monitor --metrics-address 9464             | '9464' is not HOST:PORT; e.g. 127.0.0.1:9464
            monitor --metrics-address 127.0.0.1:99999  | is not HOST:PORT
            monitor --alertmanager localhost:9093      | 'localhost:9093' is not an http(s) URL; e.g. http://127.0.0.1:9093
            monitor --aggregate -1                     | '-1' is not a number of seconds, 0 or more
            monitor --aggregate soon                   | 'soon' is not a number
            monitor --duration 0                       | '0' is not a number of seconds above 0
            monitor --output-file-max-mb 0             | '0' is not a whole number above 0
            monitor --output-file-keep -1              | '-1' is not a whole number 0 or more
            monitor --output-file-max-age soon         | 'soon' is not a duration: expected e.g. 90, 90s, 500ms, 5m or 2h
            monitor --output-file-format xml           | 'xml' is not a format: use text, json or csv
            monitor --alert-expiry 1.5                 | '1.5' is not a whole number
            monitor --fromat json                      | did you mean --format?
            monitor extra                              | unexpected argument 'extra'
            monitor --no-default-rules                 | no rules to run: without the default pack (--no-default-rules) give at least one --rules FILE
            monitor --config /nonexistent/eunomia.yaml | /nonexistent/eunomia.yaml: no such configuration file
            trace --type exec,proc                     | unknown event type 'proc'; expected one of exec, exit, fork, file, net, cap, syscall
            trace --pid abc                            | 'abc' is not a whole number
            trace --pid -3                             | '-3' is not a whole number 0 or more
            trace --pid 999999999                      | --pid 999999999: no such process
            trace --mntns 0                            | '0' is not a whole number above 0
            trace --path-prefix etc                    | --path-prefix: path prefix must be absolute: 'etc'; e.g. --path-prefix /etc
            trace --path-prefix /etc/../root           | must be normalised
            trace --type exec --path-prefix /etc       | --path-prefix filters file events, and --type exec has none: add file to --type
            trace --type exec --module-fallback        | --module-fallback reports syscall events, and --type exec has none
            trace --comm a-command-name-too-long       | the kernel keeps the first 15 characters of a command name; use --comm 'a-command-name-'
            trace --max-events 0                       | '0' is not a whole number above 0
            trace --format yaml                        | 'yaml' is not a format
            containers --duration -1                   | '-1' is not a number of seconds above 0
            containers --format xml                    | 'xml' is not a format
            containers --docker-socket /nonexistent    | --docker-socket /nonexistent: no such socket
            containers --docker-socket /etc/passwd     | --docker-socket /etc/passwd: not a socket
            rules fields --format yaml                 | 'yaml' is not a format
            rules test --events /nonexistent --expect /nonexistent | cannot read /nonexistent: no such file or directory
            rules test --events e.jsonl --expect x.yaml --aggregate -5 | '-5' is not a number of seconds, 0 or more
            monitr                                     | unknown command 'monitr'; commands: monitor, enforce, trace, containers, rules
            """)
    void usageMistakesAreOneLineAndExit2(String args, String expected) {
        Result r = inProcess(args.split(" "));
        assertOneMessage(r, Main.EXIT_USAGE, expected);
    }

    @Test
    void aMistakeOnTheCommandLineSaysWhereTheHelpIs() {
        Result r = inProcess("monitor", "--fromat", "json");
        assertThat(r.stderr()).isEqualTo("""
                eunomia: unknown option '--fromat'
                eunomia: did you mean --format? try 'eunomia monitor --help'
                """);
        assertThat(inProcess("monitr").stderr()).contains("did you mean monitor? try 'eunomia --help'");
        assertThat(inProcess("trace", "--type", "exec", "--path-prefix", "/etc").stderr())
                .endsWith("eunomia: try 'eunomia trace --help'\n");
    }

    @Test
    void noCommandShowsTheCommandsAndIsAUsageError() {
        Result r = inProcess();
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("Commands:").contains("monitor").contains("Exit status:");
        assertThat(inProcess("rules").exit()).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void missingRuleFilesAreRuleErrorsWithoutLineZero(@TempDir Path empty) {
        Result r = inProcess("rules", "check", "/nonexistent/rules.yaml");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("/nonexistent/rules.yaml: no such rule file or directory\n");
        Result none = inProcess("rules", "check", empty.toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.stderr()).isEqualTo(empty + ": no rule files (.yaml, .yml, .drl) in this directory\n");
    }

    @Test
    void configurationMistakesPointAtTheFile(@TempDir Path tmp) throws Exception {
        Path config = Files.writeString(tmp.resolve("eunomia.yaml"), """
                outputs:
                  stdout:
                    format: xml
                """);
        assertOneMessage(inProcess("monitor", "--config", config.toString()), Main.EXIT_USAGE,
                config + ":3:13: outputs.stdout.format: 'xml' is not a format: use text, json or csv");
        Files.writeString(config, "rules: {defaults: false}\n");
        assertOneMessage(inProcess("monitor", "--config", config.toString()), Main.EXIT_USAGE,
                "no rules to run: without the default pack (--no-default-rules or rules.defaults: false)");
    }

    @Test
    void helpIsCleanAndShowsDefaults() {
        for (String[] cmd : List.of(new String[] {"--help"}, new String[] {"monitor", "--help"}, new String[] {"trace", "--help"},
                new String[] {"containers", "--help"}, new String[] {"rules", "--help"}, new String[] {"rules", "check", "--help"},
                new String[] {"rules", "compile", "--help"}, new String[] {"rules", "test", "--help"},
                new String[] {"rules", "fields", "--help"})) {
            Result r = inProcess(cmd);
            assertThat(r.exit()).isZero();
            assertThat(r.stdout() + r.stderr()).as(String.join(" ", cmd)).doesNotContain("WARN").doesNotContain("Could not format");
        }
        String monitor = inProcess("monitor", "--help").stdout().replaceAll("\\s+", " ");
        assertThat(monitor).contains("YAML (.yaml, .yml) or DRL (.drl)").contains("Default: text").contains("Default: 10.")
                .contains("Default: 100.").contains("Default: 5.").contains("Default: 127.0.0.1:9464.");
        assertThat(inProcess("rules", "fields", "--help").stdout()).contains("%field outputs");
        assertThat(inProcess("--help").stdout().replaceAll("\\s+", " ")).contains("Exit status:")
                .contains("6 an output or the metrics address");
    }

    @Test
    void missingRulesAreExit5WithTheFile() throws Exception {
        Result r = run(EunomiaProcess.builder("monitor", "--rules", "/nonexistent/my-rules", "--no-metrics", "--no-rule-cache"));
        assertThat(r.exit()).isEqualTo(Main.EXIT_RULES);
        assertThat(r.stderr()).isEqualTo("""
                eunomia: the rules cannot be loaded:
                  /nonexistent/my-rules: no such rule file or directory
                """);
    }

    @Test
    void anOutputFileThatCannotBeWrittenIsExit6() throws Exception {
        Result r = run(EunomiaProcess.builder("monitor", "--output-file", "/proc/alerts.jsonl", "--no-metrics"));
        assertThat(r.exit()).isEqualTo(Main.EXIT_UNAVAILABLE);
        assertThat(r.stderr()).isEqualTo("eunomia: cannot write alerts to /proc/alerts.jsonl: no such file or directory; "
                + "choose a writable --output-file (outputs.file.path)\n");
    }

    @Test
    void aMetricsPortInUseIsExit6NotAUsageError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Result r = run(EunomiaProcess.builder("monitor", "--metrics-address", "127.0.0.1:" + taken.getLocalPort(),
                    "--duration", "5"));
            assertThat(r.exit()).as(r.stderr()).isEqualTo(Main.EXIT_UNAVAILABLE);
            assertThat(r.stderr()).contains("eunomia: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()
                    + ": the port is in use (another eunomia running?); choose another --metrics-address")
                    .doesNotContain("\tat ").doesNotContain("Usage:");
            // Found before the rules are built and the sensors loaded.
            assertThat(r.stderr().lines()).hasSize(1);
        }
    }

    @Test
    void notRootSaysSo(@TempDir Path tmp) throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        String cp = EunomiaProcess.worldReadableClasspath(tmp);
        ProcessBuilder pb = EunomiaProcess.builder(
                List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"), Map.of(), cp,
                "trace", "--type", "exec");
        pb.directory(tmp.toFile());
        Result r = run(pb);
        assertThat(r.exit()).isEqualTo(Main.EXIT_ENVIRONMENT);
        assertThat(r.stderr()).contains("must run as root").contains("sudo").doesNotContain("\tat ");
    }

    @Test
    void missingLibbpfSaysWhatToInstall() throws Exception {
        // A private mount namespace in which the system's libbpf.so.1 is an empty file.
        Path libbpf = Path.of("/usr/lib/x86_64-linux-gnu/libbpf.so.1").toRealPath();
        Result r = run(EunomiaProcess.builder(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                        "mount --bind /dev/null \"$1\" && shift && exec \"$@\"", "sh", libbpf.toString()),
                Map.of(), System.getProperty("java.class.path"), "trace"));
        assertThat(r.exit()).isEqualTo(Main.EXIT_ENVIRONMENT);
        assertThat(r.stderr()).contains("libbpf").contains("apt-get install libbpf1").doesNotContain("\tat ");
    }

    @Test
    void unknownEventTypeIsAUsageErrorInItsOwnProcess() throws Exception {
        Result r = run(EunomiaProcess.builder("trace", "--type", "exec,bogus"));
        assertThat(r.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.stderr()).contains("unknown event type 'bogus'").doesNotContain("\tat ").doesNotContain("Usage:");
    }
}
