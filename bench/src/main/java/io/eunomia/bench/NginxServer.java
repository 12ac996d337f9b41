package io.eunomia.bench;

import io.eunomia.testkit.ServerProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Debian's nginx as the web-server workload: one worker, its own prefix, configuration and port on
 * 127.0.0.1 (never the system service, its default configuration or port 80), serving a 0.5 KB
 * and a 27 KB static page with sendfile and keep-alive, no access log (a log line per request
 * would measure the disk). The worker runs as Debian's default user (www-data), as in production:
 * the prefix is a temporary directory readable by all, removed on close.
 */
final class NginxServer implements AutoCloseable {
    static final String SMALL = "small.html";
    static final String LARGE = "large.html";

    private final ServerProcess master;
    private final int port;
    private final Path dir;

    private NginxServer(ServerProcess master, int port, Path dir) {
        this.master = master;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts nginx in a new temporary prefix (pages, configuration, pid and error log) and waits until it accepts.
     *
     * @param launcher what nginx is started under (e.g. {@code taskset -c 1}: master and worker pinned); empty for nothing
     */
    static NginxServer start(List<String> launcher) throws IOException {
        Path dir = Files.createTempDirectory("eunomia-nginx-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path html = Files.createDirectories(dir.resolve("html"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(html.resolve(SMALL), "<html><body>" + "eunomia ".repeat(64) + "</body></html>\n");
        Files.writeString(html.resolve(LARGE), "<html><body>" + "eunomia web workload ".repeat(1300) + "</body></html>\n");
        int port = freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(dir, port));
        // -e: the error log before the configuration is read (else /var/log/nginx/error.log is opened);
        // nginx's own output goes to the same file (appended).
        Path errorLog = dir.resolve("error.log");
        List<String> cmd = new java.util.ArrayList<>(launcher);
        cmd.addAll(List.of("nginx", "-p", dir + "/", "-c", conf.toString(), "-e", errorLog.toString()));
        ServerProcess p = ServerProcess.start("nginx", new ProcessBuilder(cmd), errorLog);
        NginxServer server = new NginxServer(p, port, dir);
        try {
            p.awaitReady(() -> accepts(port), Duration.ofSeconds(10));
            server.workerPid();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private static String config(Path dir, int port) {
        String tmp = dir.resolve("tmp").toString();
        return String.join("\n", List.of(
                "daemon off;",
                "master_process on;",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events { worker_connections 1024; }",
                "http {",
                "  access_log off;",
                "  sendfile on;",
                "  tcp_nopush on;",
                "  keepalive_requests 1000000;",
                "  types { text/html html; }",
                "  client_body_temp_path " + tmp + "/body;",
                "  proxy_temp_path " + tmp + "/proxy;",
                "  fastcgi_temp_path " + tmp + "/fastcgi;",
                "  uwsgi_temp_path " + tmp + "/uwsgi;",
                "  scgi_temp_path " + tmp + "/scgi;",
                "  server {",
                "    listen 127.0.0.1:" + port + ";",
                "    root " + dir.resolve("html") + ";",
                "  }",
                "}", ""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    String url(String page) {
        return "http://127.0.0.1:" + port + "/" + page;
    }

    /** The one worker process (the master only accepts configuration signals). */
    long workerPid() {
        List<ProcessHandle> workers = master.process().toHandle().children().toList();
        if (workers.size() != 1) {
            throw new IllegalStateException("nginx should run one worker, has " + workers.size());
        }
        return workers.getFirst().pid();
    }

    /** The worker's user + system CPU seconds (/proc/PID/stat). */
    double workerCpuSeconds() throws IOException {
        return ProcCpu.seconds(workerPid());
    }

    @Override
    public void close() {
        master.stop(Duration.ofSeconds(10));   // SIGTERM: fast shutdown, the worker goes with the master
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.out.println("   could not remove " + dir + ": " + e.getMessage());
        }
    }
}
