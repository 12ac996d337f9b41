package io.eunomia.bpf;

import io.eunomia.testkit.BpfFds;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Test helper: the BPF programs, maps and links this JVM holds, by kernel id, read from
 * /proc/self/fdinfo; and whether an id still exists in the kernel, asked of bpftool.
 */
final class KernelResources {
    record Ids(Set<Long> progs, Set<Long> maps, Set<Long> links) {
        Ids minus(Ids before) {
            return new Ids(diff(progs, before.progs), diff(maps, before.maps), diff(links, before.links));
        }

        private static Set<Long> diff(Set<Long> a, Set<Long> b) {
            Set<Long> out = new HashSet<>(a);
            out.removeAll(b);
            return out;
        }
    }

    private KernelResources() {}

    static Ids held() {
        long self = ProcessHandle.current().pid();
        return new Ids(BpfFds.ids(self, "prog"), BpfFds.ids(self, "map"), BpfFds.ids(self, "link"));
    }

    /** Waits until bpftool no longer finds the id (deferred frees), up to timeoutMillis. */
    static boolean goneWithin(String kind, long id, long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (existsInKernel(kind, id)) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** Whether `bpftool KIND show id ID` still finds it (kind: prog, map, link). */
    static boolean existsInKernel(String kind, long id) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bpftool", kind, "show", "id", Long.toString(id))
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
