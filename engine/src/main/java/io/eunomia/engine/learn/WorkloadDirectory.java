package io.eunomia.engine.learn;

import io.eunomia.event.ContainerInfo;
import io.eunomia.event.Event;
import io.eunomia.event.ExecEvent;
import io.eunomia.profiler.ContainerDirectory;
import io.eunomia.profiler.RuntimeInfo;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The container directory for a workload that {@code learn -- COMMAND} started under runc or crun:
 * the first exec of a child of that runtime process outside the host's namespace is the
 * container's init running the workload, and names its namespace exactly (number and id), even
 * when the container is gone before anyone could read its state.
 */
public final class WorkloadDirectory implements ContainerDirectory {
    private final ContainerDirectory inner;
    private final ContainerInfo workload;
    private volatile long runtimePid = -1;
    private volatile long mntns = -1;
    private volatile long namespaceId = -1;
    private boolean handedOver;

    public WorkloadDirectory(ContainerDirectory inner, ContainerInfo workload) {
        this.inner = inner;
        this.workload = workload;
    }

    /** The runtime process that starts the container (runc/crun run): its child is the container's init. */
    public void runtimeStarted(long pid) {
        runtimePid = pid;
    }

    /**
     * Looks at an event before the learner does; true when it is the workload's start (then call
     * {@link #handedOver()} once the learner has it).
     */
    public boolean offer(Event e) {
        if (mntns < 0 && runtimePid > 0 && e instanceof ExecEvent x && x.succeeded() && x.process().ppid() == runtimePid
                && !inner.isHost(x.process().mntns())) {
            synchronized (this) {
                namespaceId = x.process().mntnsId();
                mntns = x.process().mntns();
            }
            return true;
        }
        return false;
    }

    /**
     * The workload's start is in the learner's hands: only now may the end wait on it. (Told at
     * {@link #offer}, a short workload's end polled the learner while its exec event was still on
     * the way in, its executable being hashed, and the profile lacked that executable.)
     */
    public synchronized void handedOver() {
        handedOver = true;
        notifyAll();
    }

    /**
     * The event as the learner should file it: the workload's namespace is the workload's,
     * whatever a resolution from the runtime's state (racing with its set-up) said.
     */
    public Event identify(Event e) {
        boolean ours = e.process().mntns() == mntns && e.process().mntnsId() == namespaceId
                || e.process().container().id().equals(workload.id());
        if (ours && !e.process().container().equals(workload)) {
            return e.withProcess(e.process().withContainer(workload));
        }
        return e;
    }

    /**
     * Waits until the workload's exec is in the learner's hands (events come a little after the fact: a
     * workload that is over already may not have been named yet). False when it never came.
     */
    public synchronized boolean awaitWorkload(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!handedOver) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    @Override
    public Optional<ContainerInfo> container(long ns, long id) {
        if (ns == mntns && (id == namespaceId || id == 0)) {
            return Optional.of(workload);
        }
        // Named from the runtime's state before its exec was seen: the same container.
        return inner.container(ns, id).map(c -> c.id().equals(workload.id()) ? workload : c);
    }

    @Override
    public boolean isHost(long ns) {
        return inner.isHost(ns);
    }

    @Override
    public Set<Namespace> liveNamespaces() {
        return inner.liveNamespaces();
    }

    @Override
    public boolean alive(long ns, long id) {
        return inner.alive(ns, id);
    }

    @Override
    public RuntimeInfo runtime(ContainerInfo c) {
        return inner.runtime(c);
    }

    @Override
    public void whenRuntimeFound(ContainerInfo c, java.util.function.Consumer<RuntimeInfo> found) {
        inner.whenRuntimeFound(c, found);
    }

    @Override
    public Optional<Boolean> noNewPrivs(int pid) {
        return inner.noNewPrivs(pid);
    }

    @Override
    public Optional<String> sha256(int pid, String exe) {
        return inner.sha256(pid, exe);
    }

    @Override
    public Optional<String> sha256InRoot(long namespaceId, String exe) {
        return inner.sha256InRoot(namespaceId, exe);
    }
}
