package io.eunomia.engine.cli;

import io.eunomia.engine.Main;
import io.eunomia.engine.UnavailableException;
import io.eunomia.engine.config.ListenAddress;
import io.eunomia.engine.control.ControlApi;
import io.eunomia.engine.control.ControlServer;
import io.eunomia.engine.control.TokenFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;

/** Where monitor serves its control API, from its options: the default socket, another socket, or loopback TCP. */
final class ControlEndpoints {
    private ControlEndpoints() {}

    /** The endpoint the options ask for, checked before anything starts; null when the API is off. */
    static ControlServer.Endpoint endpoint(MonitorCommand o) {
        if (o.noControl) {
            if (o.controlListen != null || o.controlSocket != null || o.controlTokenFile != null) {
                throw new CommandFailure(Main.EXIT_USAGE, "--no-control and --control-* options contradict each other: drop one");
            }
            return null;
        }
        ControlServer.Endpoint endpoint;
        if (o.controlListen != null) {
            if (o.controlSocket != null) {
                throw new CommandFailure(Main.EXIT_USAGE, "--control-listen and --control-socket: choose one");
            }
            if (o.controlTokenFile == null) {
                throw new CommandFailure(Main.EXIT_USAGE, "--control-listen needs --control-token-file FILE (a token only "
                        + "root can read: head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE)");
            }
            InetSocketAddress at;
            byte[] token;
            try {
                at = ListenAddress.parse("--control-listen", o.controlListen);
                if (at.isUnresolved() || !at.getAddress().isLoopbackAddress()) {
                    throw new IllegalArgumentException("--control-listen " + o.controlListen + " is not a loopback address: "
                            + "the control API is local only (127.0.0.1:PORT or [::1]:PORT)");
                }
                token = TokenFile.read(o.controlTokenFile);
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(Main.EXIT_USAGE, e.getMessage());
            }
            endpoint = new ControlServer.Endpoint.Tcp(at, token);
        } else {
            if (o.controlTokenFile != null) {
                throw new CommandFailure(Main.EXIT_USAGE, "--control-token-file goes with --control-listen (the unix socket "
                        + "checks the caller's user instead)");
            }
            endpoint = new ControlServer.Endpoint.Unix(o.controlSocket != null ? o.controlSocket : ControlServer.DEFAULT_SOCKET);
        }
        return endpoint;
    }

    /** @return null when the API is off (or the default socket is another monitor's: warned) */
    static ControlServer start(MonitorCommand o, ControlServer.Endpoint endpoint, ControlApi api, PrintWriter err) {
        if (endpoint == null) {
            return null;
        }
        try {
            return ControlServer.start(endpoint, api);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(Main.EXIT_USAGE, e.getMessage());
        } catch (IOException e) {
            if (o.controlSocket == null && o.controlListen == null) {
                err.println("eunomia: WARNING: no control API: " + e.getMessage());
                return null;
            }
            throw new UnavailableException(e.getMessage(), e);
        }
    }
}
