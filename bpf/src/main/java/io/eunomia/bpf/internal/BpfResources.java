package io.eunomia.bpf.internal;

import java.io.IOException;
import java.io.InputStream;

/** The BPF objects packaged in the jar (io/eunomia/bpf/NAME.bpf.o, built by build-bpf.sh). */
public final class BpfResources {
    private BpfResources() {}

    /** The ELF bytes of a packaged object, e.g. "/io/eunomia/bpf/process.bpf.o". */
    public static byte[] read(String resource) {
        try (InputStream in = BpfResources.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("BPF object " + resource + " is missing from the jar: rebuild with mvn package");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
    }
}
