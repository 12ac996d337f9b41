package io.eunomia.event;

/** Socket operations the network sensor reports (enum net_op of events.h, in order from 1). */
public enum NetOp {
    CONNECT, ACCEPT, BIND, LISTEN;

    /** The operation for events.h's code (1 = CONNECT). */
    public static NetOp ofCode(int code) {
        NetOp[] all = values();
        if (code < 1 || code > all.length) {
            throw new IllegalArgumentException("unknown net_op " + code);
        }
        return all[code - 1];
    }
}
