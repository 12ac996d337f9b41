package io.eunomia.engine.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.engine.alert.Alert;
import io.eunomia.engine.output.InMemoryOutput;
import io.eunomia.testkit.Recorder;
import io.eunomia.event.Event;
import io.eunomia.testkit.ContainerSpec;
import io.eunomia.testkit.OciRuntime;
import io.eunomia.testkit.Runc;
import io.eunomia.testkit.RunningContainer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole default pack (every file of the default directory, whoever wrote it) is quiet on
 * ordinary work: a live monitor with real sensors while this JVM's children compile, commit, tar,
 * run a JVM, serve and fetch HTTP, query packages, and ordinary runc containers run a batch job, a
 * web server and an app writing its own log. Zero alerts on all that.
 *
 * <p>Other tests may run on the same host at the same time, so only alerts on our own work count:
 * events of our containers, and host processes descending from this JVM (the pid-to-parent links
 * come from every event's process info, tapped from the sensors). A known positive at the end (a
 * program run from /dev/shm) is the barrier: once its alert is out, everything before it has been
 * through the session.
 */
class BenignMixLiveTest {
    private final Map<Integer, Integer> parents = new ConcurrentHashMap<>();
    private final long self = ProcessHandle.current().pid();

    private boolean ours(Alert a) {
        if (a.container().id().startsWith("p1mix-")) {
            return true;
        }
        if (!a.container().isHost()) {
            return false;
        }
        Integer pid = a.event().process().pid();
        for (int depth = 0; pid != null && pid > 1 && depth < 64; depth++) {
            if (pid == self) {
                return true;
            }
            pid = parents.get(pid);
        }
        return false;
    }

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("GIT_AUTHOR_NAME", "t");
        pb.environment().put("GIT_AUTHOR_EMAIL", "t@example.com");
        pb.environment().put("GIT_COMMITTER_NAME", "t");
        pb.environment().put("GIT_COMMITTER_EMAIL", "t@example.com");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(cmd)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", List.of(cmd), out).isZero();
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void ordinaryHostAndContainerWorkRaisesNothing(@TempDir Path dir) throws Exception {
        InMemoryOutput out = new InMemoryOutput();
        List<Alert> ours;
        try (Monitor m = Monitor.start(new RuleLoader(List.of(), true), out,
                Pipeline.Settings.defaults().withAggregationWindow(Duration.ZERO), o -> o);
             Runc runc = new Runc()) {
            m.sensors().subscribe(e -> true, (Event e) -> parents.put(e.process().pid(), e.process().ppid()));

            // Containers: a web server, an app appending to its own log, a batch job.
            int webPort = freePort();
            RunningContainer web = runc.start(OciRuntime.uniqueId("p1mix-web"),
                    ContainerSpec.of("httpd", "-f", "-p", "127.0.0.1:" + webPort, "-h", "/etc")
                            .withConfigEdit(c -> {
                                var it = c.path("linux").path("namespaces").iterator();
                                while (it.hasNext()) {
                                    if ("network".equals(it.next().path("type").asText())) {
                                        it.remove();
                                    }
                                }
                            }));
            RunningContainer app = runc.start(OciRuntime.uniqueId("p1mix-app"), ContainerSpec.of("sh", "-c",
                    "mkdir -p /var/log/app; while true; do echo \"$(date) tick\" >> /var/log/app/app.log; sleep 0.2; done"));
            var batch = runc.run(OciRuntime.uniqueId("p1mix-job"), ContainerSpec.of("sh", "-c",
                    "for i in 1 2 3 4 5; do echo \"row $i\" >> /tmp/job.out; done; sort -r /tmp/job.out | gzip > /tmp/job.gz;"
                            + " gunzip -c /tmp/job.gz | wc -l"), Duration.ofSeconds(30));
            assertThat(batch.ok()).as(batch.stderr()).isTrue();

            // Host: compile and run, git, tar, a JVM, an HTTP server and a client, package queries.
            Files.writeString(dir.resolve("hello.c"), "#include <stdio.h>\nint main(void){puts(\"hi\");return 0;}\n");
            run(dir, "gcc", "-O2", "-o", "hello", "hello.c");
            assertThat(run(dir, "./hello")).contains("hi");
            run(dir, "git", "init", "-q", "repo");
            Path repo = dir.resolve("repo");
            Files.writeString(repo.resolve("README"), "hello\n");
            run(repo, "git", "add", "README");
            run(repo, "git", "commit", "-q", "-m", "first");
            run(repo, "git", "log", "--oneline");
            run(dir, "tar", "czf", "repo.tgz", "repo");
            Files.createDirectories(dir.resolve("x"));
            run(dir, "tar", "xzf", "repo.tgz", "-C", "x");
            run(dir, System.getProperty("java.home") + "/bin/java", "-version");
            int port = freePort();
            Process server = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port))
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                boolean served = false;
                for (int i = 0; i < 50 && !served; i++) {
                    Thread.sleep(100);
                    ProcessBuilder curl = new ProcessBuilder("curl", "-sf", "http://127.0.0.1:" + port + "/hello.c")
                            .redirectErrorStream(true);
                    Process c = curl.start();
                    served = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("puts");
                    c.waitFor();
                }
                assertThat(served).as("python http.server answered").isTrue();
            } finally {
                server.destroy();
                server.waitFor(5, TimeUnit.SECONDS);
            }
            assertThat(run(dir, "wget", "-q", "-O", "-", "http://127.0.0.1:" + webPort + "/hostname")).isNotEmpty();
            run(dir, "sh", "-c", "dpkg -l | head -20");
            // Scripts handed to their interpreters (proc.script): a build script and a tool in a work directory.
            Files.writeString(dir.resolve("build.sh"), "set -e\necho built\n");
            assertThat(run(dir, "sh", "build.sh")).contains("built");
            assertThat(run(dir, "bash", "-e", "./build.sh")).contains("built");
            Files.writeString(dir.resolve("tool.py"), "print('tool ran')\n");
            assertThat(run(dir, "python3", "-u", "tool.py")).contains("tool ran");
            run(dir, "apt-cache", "policy", "bash");
            // Extended attributes of ordinary files: a user.* tag (build tools, file managers) and a look at file capabilities.
            run(dir, "python3", "-c", "import os; os.setxattr('hello', 'user.origin', b'build'); print(os.getxattr('hello', 'user.origin'))");
            run(dir, "/usr/sbin/getcap", "hello");
            // Sharing a work directory with another user or group: ACLs on its files and its default ACL.
            run(dir, "setfacl", "-m", "u:65534:rw,g:65534:r", "hello.c");
            run(dir, "setfacl", "-d", "-m", "u:65534:rwx", "x");
            run(dir, "getfacl", "-p", "hello.c");
            Thread.sleep(500); // the app container logs a few more lines

            // Barrier: a known positive, then everything before it has been judged.
            Recorder.Mark barrier = out.mark();
            Path shm = Path.of("/dev/shm/eunomia-p1mix-" + self);
            Files.copy(Path.of("/bin/true"), shm);
            try {
                run(dir, shm.toString());
            } finally {
                Files.deleteIfExists(shm);
            }
            out.awaitAfter(barrier, "Execution from /dev/shm", a -> ours(a) && a.output().contains(shm.toString()),
                    Duration.ofSeconds(15));
            web.close();
            app.close();

            ours = new ArrayList<>(out.alerts().stream().filter(this::ours)
                    .filter(a -> !a.rule().equals("Execution from /dev/shm")).toList());
            System.err.println("benign mix: " + m.pipeline().stats());
        }
        assertThat(ours).extracting(a -> a.rule() + ": " + a.output()).isEmpty();
    }
}
