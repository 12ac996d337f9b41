package io.eunomia.event;

/** Socket operations the network sensor reports. */
public enum NetOp {
    CONNECT, ACCEPT, BIND, LISTEN
}
