package io.eunomia.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    private final Process master;
    private final int port;
    private final Path dir;

    private NginxServer(Process master, int port, Path dir) {
        this.master = master;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts nginx in a new temporary prefix (pages, configuration, pid and error log) and waits until it accepts.
     *
     * @param launcher what nginx is started under (e.g. {@code taskset -c 1}: master and worker pinned); empty for nothing
     */
    static NginxServer start(List<String> launcher) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("eunomia-nginx-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path html = Files.createDirectories(dir.resolve("html"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(html.resolve(SMALL), "<html><body>" + "eunomia ".repeat(64) + "</body></html>\n");
        Files.writeString(html.resolve(LARGE), "<html><body>" + "eunomia web workload ".repeat(1300) + "</body></html>\n");
        int port = freePort();
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, config(dir, port));
        // -e: the error log before the configuration is read (else /var/log/nginx/error.log is opened)
        List<String> cmd = new java.util.ArrayList<>(launcher);
        cmd.addAll(List.of("nginx", "-p", dir + "/", "-c", conf.toString(), "-e", dir.resolve("error.log").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        NginxServer server = new NginxServer(p, port, dir);
        try {
            server.awaitListening(dir);
            server.workerPid();
            return server;
        } catch (IOException | RuntimeException e) {
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

    private void awaitListening(Path dir) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!master.isAlive()) {
                throw new IOException("nginx exited with " + master.exitValue() + ": " + Files.readString(dir.resolve("nginx.out")).strip()
                        + " " + (Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")).strip() : ""));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nginx did not listen on 127.0.0.1:" + port + " within 10 s", notYet);
                }
                Thread.sleep(20);
            }
        }
    }

    String url(String page) {
        return "http://127.0.0.1:" + port + "/" + page;
    }

    /** The one worker process (the master only accepts configuration signals). */
    long workerPid() {
        List<ProcessHandle> workers = master.toHandle().children().toList();
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
    public void close() throws InterruptedException {
        master.destroy();   // SIGTERM: fast shutdown, the worker goes with the master
        if (!master.waitFor(10, TimeUnit.SECONDS)) {
            master.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            master.destroyForcibly();
            master.waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.out.println("   could not remove " + dir + ": " + e.getMessage());
        }
    }
}
