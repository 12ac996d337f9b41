package io.eunomia.bpf.internal;

import io.eunomia.bpf.container.NamespaceIdentity;
import java.util.ArrayList;
import java.util.List;

/** Decoder of struct namespace_event (events.h): a mount namespace's identity, not an event. */
public final class NamespaceRecords {
    public static final int TYPE_NAMESPACE = 4;
    public static final int SIZE = 1776;

    private static final int H = Header.SIZE;
    private static final int CGROUP_V1_ID = H;
    private static final int ANCESTOR_CGROUP = H + 8;
    private static final int ANCESTOR_PID = ANCESTOR_CGROUP + 8 * 4;
    private static final int ANCESTOR_COMM = ANCESTOR_PID + 4 * 4;
    private static final int V2_DEPTH = ANCESTOR_COMM + Header.COMM_LEN * 4;
    private static final int V1_DEPTH = V2_DEPTH + 1;
    private static final int CGROUP_V2 = V2_DEPTH + 8;
    private static final int ANCESTORS = 4;
    private static final int DEPTH = 6;
    private static final int NAME_LEN = 128;
    private static final int CGROUP_V1 = CGROUP_V2 + DEPTH * NAME_LEN;

    private final String v1Controller;

    /** @param v1Controller the controller the sensors were told to record (settings.cgroup_v1_subsys); "" none */
    public NamespaceRecords(String v1Controller) {
        this.v1Controller = v1Controller;
    }

    public NamespaceIdentity decode(Header h, RecordReader r) {
        if (r.size() < SIZE) {
            throw new IndexOutOfBoundsException("namespace record of " + r.size() + " bytes, expected " + SIZE);
        }
        List<NamespaceIdentity.Ancestor> ancestors = new ArrayList<>(ANCESTORS);
        for (int i = 0; i < ANCESTORS; i++) {
            int pid = r.s32(ANCESTOR_PID + 4L * i);
            if (pid <= 0) {
                break;
            }
            ancestors.add(new NamespaceIdentity.Ancestor(pid, r.fixedString(ANCESTOR_COMM + (long) Header.COMM_LEN * i,
                    Header.COMM_LEN), r.s64(ANCESTOR_CGROUP + 8L * i)));
        }
        String v1 = v1Controller.isEmpty() ? "" : path(r, CGROUP_V1, r.u8(V1_DEPTH));
        var p = h.process();
        return new NamespaceIdentity(p.mntns(), p.mntnsId(), p.pid(), p.comm(), path(r, CGROUP_V2, r.u8(V2_DEPTH)),
                p.cgroupId(), v1, v1Controller.isEmpty() ? 0 : r.s64(CGROUP_V1_ID), v1Controller, ancestors);
    }

    /** Components stored leaf first, as a path from the root ("/" for the root; the top cut when too deep). */
    private static String path(RecordReader r, int slots, int depth) {
        int n = Math.min(depth, DEPTH);
        if (n == 0) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (int i = n - 1; i >= 0; i--) {
            out.append('/').append(r.fixedString(slots + (long) i * NAME_LEN, NAME_LEN));
        }
        return out.toString();
    }
}
