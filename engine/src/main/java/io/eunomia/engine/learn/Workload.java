package io.eunomia.engine.learn;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.eunomia.enforcer.verify.CrunCgroups;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A workload that {@code eunomia learn -- COMMAND} starts in a container of its own: under docker
 * or podman from an image, or under runc or crun from a root file system (a bundle made for it).
 * Its output goes to our stderr; our stdout carries the progress. Arguments are passed as they
 * are, never through a shell.
 */
public final class Workload implements AutoCloseable {
    public static final List<String> RUNTIMES = List.of("docker", "podman", "runc", "crun");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String runtime;
    private final String name;
    private final Process process;
    private final Path bundle;

    private Workload(String runtime, String name, Process process, Path bundle) {
        this.runtime = runtime;
        this.name = name;
        this.process = process;
        this.bundle = bundle;
    }

    /**
     * The container name to use: given, or made from the image (or root file system) so that
     * learning the same workload again continues its profile.
     */
    public static String defaultName(String image, Path rootfs) {
        String base = image != null ? image : rootfs.toAbsolutePath().normalize().getFileName().toString();
        int at = base.indexOf('@');
        if (at >= 0) {
            base = base.substring(0, at);
        }
        base = base.substring(base.lastIndexOf('/') + 1);
        int colon = base.indexOf(':');
        if (colon >= 0) {
            base = base.substring(0, colon);
        }
        String safe = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-").replaceAll("^[^a-z0-9]+", "");
        return (safe.isEmpty() ? "workload" : safe) + "-learn";
    }

    /**
     * What to start, checked but not started yet.
     *
     * @param image   for docker/podman
     * @param rootfs  for runc/crun
     */
    public record Plan(String runtime, String name, String image, Path rootfs, List<String> command) {
        public Workload start() throws IOException {
            return Workload.start(runtime, name, image, rootfs, command);
        }

        /** docker/podman run an image; runc/crun a root file system. */
        public boolean runsImage() {
            return image != null;
        }

        public String describe() {
            return "'" + String.join(" ", command) + "' in " + runtime + " container " + name
                    + (image != null ? " of " + image : " from " + rootfs);
        }
    }

    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** Starts it; the container is named {@code name}. */
    public static Workload start(String runtime, String name, String image, Path rootfs, List<String> command)
            throws IOException {
        if (!validName(name)) {
            throw new IllegalArgumentException("container name '" + name + "' must be letters, digits, '_', '.', '-'");
        }
        List<String> argv = new ArrayList<>();
        Path bundle = null;
        switch (runtime) {
            case "docker", "podman" -> {
                argv.addAll(List.of(runtime, "run", "--rm", "--name", name, "--"));
                argv.add(image);
                argv.addAll(command);
            }
            case "runc", "crun" -> {
                bundle = bundle(runtime, rootfs, command);
                argv.addAll(ociCommand(runtime, "run", "--bundle", bundle.toString(), name));
            }
            default -> throw new IllegalArgumentException("unknown runtime " + runtime + "; expected one of " + RUNTIMES);
        }
        Process p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("/dev/stderr")))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Workload(runtime, name, p, bundle);
    }

    /** runc or crun with these arguments, as this host needs it (crun on a hybrid cgroup host: {@link CrunCgroups}). */
    private static List<String> ociCommand(String runtime, String... args) throws IOException {
        List<String> argv = new ArrayList<>(runtime.equals("crun") ? CrunCgroups.wrapper() : List.of());
        argv.add(runtime);
        argv.addAll(List.of(args));
        return argv;
    }

    /** A bundle for runc/crun: their own {@code spec} template, with our root file system and command. */
    private static Path bundle(String runtime, Path rootfs, List<String> command) throws IOException {
        Path root = rootfs.toAbsolutePath().normalize();
        if (!Files.isDirectory(root.resolve("bin")) && !Files.isDirectory(root.resolve("usr"))) {
            throw new IllegalArgumentException("--rootfs " + rootfs + " does not look like a root file system (no bin/ or usr/)");
        }
        Path dir = Files.createTempDirectory("eunomia-learn-bundle");
        try {
            Process spec = new ProcessBuilder(runtime, "spec").directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(spec.getInputStream().readAllBytes());
            if (!spec.waitFor(20, TimeUnit.SECONDS) || spec.exitValue() != 0) {
                throw new IOException(runtime + " spec failed: " + out.strip());
            }
            ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
            ObjectNode process = (ObjectNode) config.get("process");
            process.put("terminal", false);
            ArrayNode args = process.putArray("args");
            command.forEach(args::add);
            ((ObjectNode) config.get("root")).put("path", root.toString()).put("readonly", false);
            // The container's image, as far as learning is concerned: its root file system, the
            // same on every run, so learning it again continues its profile.
            config.withObject("annotations").put("org.opencontainers.image.ref.name", root.toString());
            JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
            return dir;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException | RuntimeException e) {
            delete(dir);
            throw e;
        }
    }

    public String name() {
        return name;
    }

    public String runtime() {
        return runtime;
    }

    /** The runtime client's pid (runc/crun: the parent of the container's init). */
    public long pid() {
        return process.pid();
    }

    /** What the container is, as the learner files it (runc/crun: named by its id, imaged by its root file system). */
    public static io.eunomia.event.ContainerInfo identity(Plan plan) {
        String image = plan.image() != null ? plan.image() : plan.rootfs().toAbsolutePath().normalize().toString();
        return new io.eunomia.event.ContainerInfo(plan.name(), plan.name(), image, plan.runtime(), "", "");
    }

    public boolean exited() {
        return !process.isAlive();
    }

    public int exitCode() {
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            // Stop the container, not only the client: its runtime owns the processes.
            try {
                List<String> argv = switch (runtime) {
                    case "docker", "podman" -> List.of(runtime, "rm", "--force", name);
                    default -> ociCommand(runtime, "delete", "--force", name);
                };
                new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start().waitFor(30, TimeUnit.SECONDS);
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                // the runtime is gone: nothing to stop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
        }
        if (bundle != null) {
            delete(bundle);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
