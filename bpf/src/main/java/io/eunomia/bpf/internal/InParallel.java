package io.eunomia.bpf.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs start-up tasks each on a platform thread of its own and waits for them all. On a loaded
 * machine each thread gets its own share of the CPUs: serial start-up phases waited 4–7× their CPU
 * time there (README, where start-up goes). Failures come out as they were thrown (type, message,
 * a verifier log unchanged), never wrapped.
 */
public final class InParallel {
    /** One task: its name (for the thread's name) and its work. */
    public record Task<T>(String name, Supplier<T> work) {}

    private InParallel() {}

    /**
     * Runs the tasks (one alone on the calling thread) and returns their results in the tasks'
     * order. When tasks fail, every task is still awaited (they may hold native resources), the
     * result of each that succeeded is handed to {@code discard} (e.g. closed), and the first
     * failure in the tasks' order is thrown with the others added as suppressed: the same failure
     * whichever thread finished first.
     */
    public static <T> List<T> run(List<Task<T>> tasks, Consumer<? super T> discard) {
        if (tasks.size() == 1) {
            return List.of(tasks.getFirst().work().get());
        }
        List<FutureTask<T>> running = new ArrayList<>();
        for (Task<T> t : tasks) {
            running.add(start(t));
        }
        List<T> results = new ArrayList<>();
        Throwable first = null;
        for (FutureTask<T> f : running) {
            try {
                results.add(await(f));
            } catch (RuntimeException | Error e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first == null) {
            return results;
        }
        for (T r : results) {
            try {
                discard.accept(r);
            } catch (RuntimeException e) {
                first.addSuppressed(e);
            }
        }
        throw sneaky(first);
    }

    /**
     * Starts one task on its own thread; the supplier returned waits for its result (rethrowing its
     * failure as thrown). For work that overlaps another step of the same task.
     */
    public static <T> Supplier<T> start(String name, Supplier<T> work) {
        FutureTask<T> f = start(new Task<>(name, work));
        return () -> await(f);
    }

    private static <T> FutureTask<T> start(Task<T> t) {
        FutureTask<T> f = new FutureTask<>(t.work()::get);
        Thread.ofPlatform().name("eunomia-start-" + t.name()).daemon(true).start(f);
        return f;
    }

    /** The task's result, waiting uninterruptibly (its thread may hold what a caller must free); its failure as thrown. */
    private static <T> T await(FutureTask<T> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw sneaky(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A task's failure: a Supplier throws only unchecked ones. */
    private static RuntimeException sneaky(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
