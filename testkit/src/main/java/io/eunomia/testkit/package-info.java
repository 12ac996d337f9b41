/**
 * Fixtures for tests across modules: real containers started by real runtimes (runc, crun, podman,
 * dockerd) from a busybox root file system, with no registry and no network.
 *
 * <p>Every fixture works in its own directory {@code /tmp/tk-<kind>-<digits>}, changes nothing in
 * {@code /etc}, and cleans up on {@code close()} (containers killed and removed, daemon stopped,
 * mounts under its directory lazily unmounted, directory deleted); a JVM shutdown hook closes what a
 * failed test left open. A missing host binary is a {@link io.eunomia.testkit.Binaries.MissingBinaryException}
 * naming the Debian package to install: tests never skip silently.
 *
 * <ul>
 *   <li>{@link io.eunomia.testkit.BusyboxRootfs}: rootfs directory and tarball, built once per JVM.</li>
 *   <li>{@link io.eunomia.testkit.Runc}, {@link io.eunomia.testkit.Crun} ({@link io.eunomia.testkit.OciRuntime}):
 *       bundles written by the fixture ({@link io.eunomia.testkit.OciBundle}, {@link io.eunomia.testkit.ContainerSpec});
 *       {@code start} (detached, {@link io.eunomia.testkit.RunningContainer}), {@code run} (foreground),
 *       {@code runShortLived}. State roots default to {@code /run/runc} and {@code /run/crun}.</li>
 *   <li>{@link io.eunomia.testkit.Podman} and {@link io.eunomia.testkit.Dockerd}
 *       ({@link io.eunomia.testkit.ContainerEngine}): private storage / private daemon, busybox image
 *       imported under a name the test picks, {@code start} (detached, {@link io.eunomia.testkit.EngineContainer}),
 *       {@code run}, {@code runShortLived}.</li>
 * </ul>
 *
 * <pre>{@code
 * try (Runc runc = new Runc()) {                       // state root /run/runc
 *     RunningContainer c = runc.start(OciRuntime.uniqueId("t"), List.of("sleep", "30"));
 *     long hostPid = c.pid();                          // container init, host pid namespace
 * }                                                    // container force-deleted, bundle removed
 *
 * static Dockerd docker;                               // ~0.2-5 s to start: one per test class
 * @BeforeAll static void up() { docker = Dockerd.start("eunomia-busybox:test"); }
 * @AfterAll static void down() { docker.close(); }
 * }</pre>
 *
 * <p>{@code -Deunomia.testkit.trace=true} prints every command the fixtures run, with its duration.
 * All fixtures need root.
 */
package io.eunomia.testkit;
