package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.NetEvent;
import io.eunomia.event.NetOp;
import io.eunomia.event.SocketFamily;
import io.eunomia.event.SocketType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The network sensor, loaded for real, watching real child processes talk to real sockets. */
class NetSensorTest {
    private static final Duration WAIT = Duration.ofSeconds(60); // awaits what an act causes: ends at once when it comes; generous for a loaded machine
    private static final String PYTHON = "/usr/bin/python3";
    private static KernelSensors sensors;

    @BeforeAll
    static void load() {
        sensors = KernelSensors.start(SensorOptions.of(EnumSet.of(Sensor.NET)));
    }

    @AfterAll
    static void unload() {
        if (sensors != null) {
            sensors.close();
        }
    }

    @Test
    void tcpConnectReportsRemoteAndTheLocalPortTheKernelChose() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = server.getLocalPort();
            Process p = new ProcessBuilder("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port).start();
            try (Socket accepted = server.accept()) {
                assertThat(p.waitFor()).isZero();
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                assertThat(e.syscall()).isEqualTo("connect");
                assertThat(e.result()).isZero();
                assertThat(e.family()).isEqualTo(SocketFamily.INET);
                assertThat(e.socketType()).isEqualTo(SocketType.STREAM);
                assertThat(e.l4proto()).isEqualTo("tcp");
                assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
                assertThat(e.remotePort()).isEqualTo(port);
                assertThat(e.localAddr()).isEqualTo("127.0.0.1");
                assertThat(e.localPort()).isEqualTo(accepted.getPort());
                assertThat(e.fd()).isEqualTo(3);
                assertThat(e.process().comm()).isEqualTo("bash");
            }
        }
    }

    @Test
    void connectWithASockaddrTheSensorCannotReadIsStillReported(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // The sockaddr sits in a file page mapped but never touched: the kernel faults it in for
        // connect(), a BPF program cannot. The event must come from the socket instead.
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Process p = python("""
                    import ctypes, mmap, os, socket, struct, sys
                    port, path = int(sys.argv[1]), sys.argv[2]
                    with open(path, 'wb') as f:
                        f.write(struct.pack('=H', socket.AF_INET) + struct.pack('>H', port) + socket.inet_aton('127.0.0.1') + bytes(8))
                    fd = os.open(path, os.O_RDWR)
                    m = mmap.mmap(fd, 16, mmap.MAP_SHARED)
                    addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
                    s = socket.socket()
                    libc = ctypes.CDLL(None, use_errno=True)
                    print(libc.connect(s.fileno(), ctypes.c_void_p(addr), 16), flush=True)
                    """, server.getLocalPort(), dir.resolve("sockaddr.bin"));
            try (Socket accepted = server.accept()) {
                assertThat(firstLine(p)).isEqualTo("0");
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                assertThat(e.result()).isZero();
                assertThat(e.family()).isEqualTo(SocketFamily.INET);
                assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
                assertThat(e.remotePort()).isEqualTo(server.getLocalPort());
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void successfulConnectShowsWhereTheKernelConnectedNotWhatWasAsked() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            // Connecting to 0.0.0.0 reaches this host: the kernel picks 127.0.0.1 as the peer.
            Process p = python("""
                    import socket, sys
                    socket.create_connection(("0.0.0.0", int(sys.argv[1])))
                    """, server.getLocalPort());
            assertThat(p.waitFor()).isZero();
            NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
            assertThat(e.result()).isZero();
            assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(e.remotePort()).isEqualTo(server.getLocalPort());
        }
    }

    @Test
    void refusedConnectCarriesErrnoAndTheAddressAskedFor() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();  // closed again: nobody listens there now
        }
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = new ProcessBuilder("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port).start();
            assertThat(p.waitFor()).isNotZero();
            NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
            assertThat(e.result()).isEqualTo(-111);  // ECONNREFUSED
            assertThat(e.succeeded()).isFalse();
            assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(e.remotePort()).isEqualTo(port);
        }
    }

    @Test
    void ipv6AndIpv4MappedConnects() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket v6 = new ServerSocket(0, 2, InetAddress.getByName("::1"));
             ServerSocket v4 = new ServerSocket(0, 2, InetAddress.getByName("127.0.0.1"))) {
            Process p = python("""
                    import socket, sys
                    a = socket.create_connection(("::1", int(sys.argv[1])))
                    b = socket.socket(socket.AF_INET6)
                    b.connect(("::ffff:127.0.0.1", int(sys.argv[2])))
                    """, v6.getLocalPort(), v4.getLocalPort());
            assertThat(p.waitFor()).isZero();
            NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == v6.getLocalPort()), WAIT);
            assertThat(e.family()).isEqualTo(SocketFamily.INET6);
            assertThat(e.remoteAddr()).isEqualTo("::1");
            assertThat(e.localAddr()).isEqualTo("::1");
            assertThat(e.result()).isZero();
            NetEvent mapped = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == v4.getLocalPort()), WAIT);
            assertThat(mapped.family()).isEqualTo(SocketFamily.INET6);
            assertThat(mapped.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(mapped.result()).isZero();
        }
    }

    @Test
    void unixSocketConnectReportsThePath(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("eunomia.sock");
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Process p = python("""
                    import socket, sys
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(sys.argv[1])
                    """, sock);
            assertThat(p.waitFor()).isZero();
            NetEvent e = events.await(NetEvent.class, unixOf(p, NetOp.CONNECT).and(n -> n.remoteAddr().equals(sock.toString())), WAIT);
            assertThat(e.family()).isEqualTo(SocketFamily.UNIX);
            assertThat(e.l4proto()).isEqualTo("unix");
            assertThat(e.remoteAddr()).isEqualTo(sock.toString());
            assertThat(e.localAddr()).isEmpty();
            assertThat(e.result()).isZero();
        }
    }

    @Test
    void abstractUnixServerBindsListensAndAccepts() throws Exception {
        String name = "eunomia-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = python("""
                    import socket, sys
                    name = "\\0" + sys.argv[1]
                    s = socket.socket(socket.AF_UNIX)
                    s.bind(name)
                    s.listen(3)
                    c = socket.socket(socket.AF_UNIX)
                    c.connect(name)
                    a, _ = s.accept()
                    print(a.fileno())
                    """, name);
            String fd = firstLine(p);
            assertThat(p.waitFor()).isZero();
            String shown = "@" + name;
            NetEvent bind = events.await(NetEvent.class, unixOf(p, NetOp.BIND), WAIT);
            assertThat(bind.localAddr()).isEqualTo(shown);
            assertThat(bind.result()).isZero();
            NetEvent listen = events.await(NetEvent.class, unixOf(p, NetOp.LISTEN), WAIT);
            assertThat(listen.backlog()).isEqualTo(3);
            assertThat(listen.localAddr()).isEqualTo(shown);
            NetEvent connect = events.await(NetEvent.class, unixOf(p, NetOp.CONNECT).and(n -> n.remoteAddr().startsWith("@")), WAIT);
            assertThat(connect.remoteAddr()).isEqualTo(shown);
            NetEvent accept = events.await(NetEvent.class, unixOf(p, NetOp.ACCEPT), WAIT);
            assertThat(accept.result()).isEqualTo(Long.parseLong(fd));
            assertThat(accept.fd()).isEqualTo(Integer.parseInt(fd));
            assertThat(accept.localAddr()).isEqualTo(shown);
        }
    }

    @Test
    void tcpServerBindListenAccept() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = python("""
                    import socket
                    s = socket.socket()
                    s.bind(("127.0.0.1", 0))
                    s.listen(7)
                    print(s.getsockname()[1], flush=True)
                    a, _ = s.accept()
                    print(a.fileno(), flush=True)
                    """);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = Integer.parseInt(out.readLine().strip());
            int clientPort;
            try (Socket client = new Socket("127.0.0.1", port)) {
                clientPort = client.getLocalPort();
                int fd = Integer.parseInt(out.readLine().strip());
                assertThat(p.waitFor()).isZero();

                // bind asked for port 0: the event shows the port the kernel chose.
                NetEvent bind = events.await(NetEvent.class, of(p, NetOp.BIND), WAIT);
                assertThat(bind.syscall()).isEqualTo("bind");
                assertThat(bind.localAddr()).isEqualTo("127.0.0.1");
                assertThat(bind.localPort()).isEqualTo(port);
                assertThat(bind.result()).isZero();
                NetEvent listen = events.await(NetEvent.class, of(p, NetOp.LISTEN), WAIT);
                assertThat(listen.backlog()).isEqualTo(7);
                assertThat(listen.localPort()).isEqualTo(port);
                assertThat(listen.fd()).isEqualTo(bind.fd());
                NetEvent accept = events.await(NetEvent.class, of(p, NetOp.ACCEPT), WAIT);
                assertThat(accept.syscall()).isIn("accept", "accept4");
                assertThat(accept.result()).isEqualTo(fd);
                assertThat(accept.fd()).isEqualTo(fd);
                assertThat(accept.remoteAddr()).isEqualTo("127.0.0.1");
                assertThat(accept.remotePort()).isEqualTo(clientPort);
                assertThat(accept.localPort()).isEqualTo(port);
                assertThat(accept.l4proto()).isEqualTo("tcp");
            }
        }
    }

    @Test
    void bindToAPortInUseFailsWithTheRequestedPort() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Process p = python("""
                    import socket, sys
                    s = socket.socket()
                    try:
                        s.bind(("127.0.0.1", int(sys.argv[1])))
                    except OSError:
                        pass
                    """, taken.getLocalPort());
            assertThat(p.waitFor()).isZero();
            NetEvent e = events.await(NetEvent.class, of(p, NetOp.BIND), WAIT);
            assertThat(e.result()).isEqualTo(-98);  // EADDRINUSE
            assertThat(e.localAddr()).isEqualTo("127.0.0.1");
            assertThat(e.localPort()).isEqualTo(taken.getLocalPort());
        }
    }

    @Test
    void udpAndNonBlockingConnects() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket tcp = new ServerSocket(0, 2, InetAddress.getByName("127.0.0.1"))) {
            Process p = python("""
                    import socket, sys
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    u.connect(("127.0.0.1", 9))
                    print(u.getsockname()[1], flush=True)
                    t = socket.socket()
                    t.setblocking(False)
                    print(t.connect_ex(("127.0.0.1", int(sys.argv[1]))), flush=True)
                    """, tcp.getLocalPort());
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int udpLocalPort = Integer.parseInt(out.readLine().strip());
            int nonBlocking = Integer.parseInt(out.readLine().strip());
            assertThat(p.waitFor()).isZero();

            NetEvent udp = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == 9), WAIT);
            assertThat(udp.socketType()).isEqualTo(SocketType.DGRAM);
            assertThat(udp.l4proto()).isEqualTo("udp");
            assertThat(udp.localPort()).isEqualTo(udpLocalPort);
            assertThat(udp.result()).isZero();
            NetEvent tcpEvent = events.await(NetEvent.class,
                    of(p, NetOp.CONNECT).and(n -> n.remotePort() == tcp.getLocalPort()), WAIT);
            assertThat(tcpEvent.result()).isEqualTo(-nonBlocking);
            assertThat(tcpEvent.succeeded()).isTrue();
        }
    }

    @Test
    void aDatagramSentWithADestinationIsAConnectOncePerDestination(@TempDir Path dir) throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = sink.getLocalPort();
            // sendto three times to one destination (one event), sendmsg to a second and a
            // refused IPv6 one; a unix datagram with a name and a TCP send are not connects.
            Process p = python("""
                    import socket, sys
                    port, path, tcp = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
                    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    for _ in range(3):
                        u.sendto(b"x", ("127.0.0.1", port))
                    print(u.getsockname()[1], flush=True)
                    u.sendmsg([b"y"], [], 0, ("127.0.0.2", port))
                    v = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                    try:
                        v.sendto(b"z", ("2001:db8::1", 3333))
                    except OSError as e:
                        print("v6", e.errno, flush=True)
                    x = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                    x.bind(path)
                    x.sendto(b"u", path)
                    t = socket.create_connection(("127.0.0.1", tcp))
                    t.sendto(b"t", ("127.0.0.1", port))
                    """, port, dir.resolve("u.sock"), tcp.getLocalPort());
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int local = Integer.parseInt(out.readLine().strip());
            String v6 = out.readLine();
            assertThat(p.waitFor()).isZero();

            NetEvent sent = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.syscall().equals("sendto")
                    && n.remotePort() == port), WAIT);
            assertThat(sent.socketType()).isEqualTo(SocketType.DGRAM);
            assertThat(sent.l4proto()).isEqualTo("udp");
            assertThat(sent.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(sent.localPort()).isEqualTo(local);
            assertThat(sent.result()).isEqualTo(1);
            NetEvent msg = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.syscall().equals("sendmsg")), WAIT);
            assertThat(msg.remoteAddr()).isEqualTo("127.0.0.2");
            assertThat(msg.remotePort()).isEqualTo(port);
            NetEvent six = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.family() == SocketFamily.INET6), WAIT);
            assertThat(six.remoteAddr()).isEqualTo("2001:db8::1");
            assertThat(six.remotePort()).isEqualTo(3333);
            if (v6 != null && v6.startsWith("v6 ")) {
                assertThat(six.result()).isEqualTo(-Integer.parseInt(v6.substring(3).strip()));
            }
            // The TCP connect is reported by connect; its send is not a second one.
            events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == tcp.getLocalPort()), WAIT);
            List<NetEvent> mine = events.drain().stream().filter(e -> e instanceof NetEvent n && n.process().pid() == p.pid())
                    .map(NetEvent.class::cast).toList();
            assertThat(mine).filteredOn(n -> n.syscall().equals("sendto") && n.remotePort() == port).hasSize(1);
            assertThat(mine).noneMatch(n -> n.family() == SocketFamily.UNIX && n.syscall().startsWith("send"));
        }
    }

    /**
     * sendmmsg: each message's destination, not only the first's; a burst to more destinations than
     * a call reports (8 distinct among its first 32 messages) counts the rest.
     */
    @Test
    void everyDestinationOfASendmmsgIsAConnect() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            int port = sink.getLocalPort();
            Process p = probe("sendmmsg", "127.0.0.1", port, List.of());
            assertThat(p.waitFor()).isZero();
            NetEvent second = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == port), WAIT);
            assertThat(second.syscall()).isEqualTo("sendmmsg");
            assertThat(second.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(second.socketType()).isEqualTo(SocketType.DGRAM);
            NetEvent first = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == 53), WAIT);
            assertThat(first.remoteAddr()).isEqualTo("192.0.2.1");

            // 1 + 40 messages, 41 destinations: the first 8 reported, 24 scanned and 9 unscanned counted.
            long before = sensors.unreportedDatagramDestinations();
            Process burst = probe("sendmmsg", "127.0.0.1", 20000, List.of("40"));
            assertThat(burst.waitFor()).isZero();
            events.await(NetEvent.class, of(burst, NetOp.CONNECT).and(n -> n.remotePort() == 20006), WAIT);
            Process after = probe("sendmmsg", "127.0.0.1", port, List.of());
            assertThat(after.waitFor()).isZero();
            // A later process's event: the burst's events are all delivered by now.
            events.await(NetEvent.class, of(after, NetOp.CONNECT).and(n -> n.remotePort() == port), WAIT);
            List<NetEvent> burstEvents = events.drain().stream()
                    .filter(e -> e instanceof NetEvent n && n.process().pid() == burst.pid()).map(NetEvent.class::cast).toList();
            assertThat(burstEvents).hasSize(8).allMatch(n -> n.syscall().equals("sendmmsg"));
            assertThat(sensors.unreportedDatagramDestinations() - before).isGreaterThanOrEqualTo(33);
        }
    }

    /**
     * A destination (for sendmsg also the msghdr, for sendmmsg the mmsghdrs) in a page the sender never touched:
     * the read at enter cannot fault it in and fails; the exit reads it again after the kernel's copy did.
     */
    @Test
    void aDestinationInAnUntouchedPageIsAConnect() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            int port = sink.getLocalPort();
            for (List<String> way : List.of(List.of("sendto", "cold"), List.of("sendmsg", "cold"), List.of("sendmmsg-cold"))) {
                Process p = probe(way.get(0), "127.0.0.1", port, way.subList(1, way.size()));
                assertThat(p.waitFor()).isZero();
                String call = way.get(0).replace("-cold", "");
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == port), WAIT);
                assertThat(e.syscall()).as("%s", way).isEqualTo(call);
                assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
                assertThat(e.result()).isEqualTo(call.equals("sendmmsg") ? 2 : 18);
                if (call.equals("sendmmsg")) {
                    NetEvent first = events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == 53), WAIT);
                    assertThat(first.remoteAddr()).isEqualTo("192.0.2.1");
                }
            }
        }
    }

    /** A failed connect's or bind's sockaddr in a page the caller never touched: read again at exit, the call's only source. */
    @Test
    void aFailedCallsAddressInAnUntouchedPageIsReported() throws Exception {
        int closed;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process c = probe("connect-cold", "127.0.0.1", closed, List.of());
            assertThat(c.waitFor()).isZero();
            NetEvent refused = events.await(NetEvent.class, of(c, NetOp.CONNECT), WAIT);
            assertThat(refused.result()).isEqualTo(-111);  // ECONNREFUSED: nothing listens there now
            assertThat(refused.remoteAddr()).isEqualTo("127.0.0.1");
            assertThat(refused.remotePort()).isEqualTo(closed);
            Process b = probe("bind-cold", "192.0.2.1", 4321, List.of());
            assertThat(b.waitFor()).isZero();
            NetEvent bind = events.await(NetEvent.class, of(b, NetOp.BIND), WAIT);
            assertThat(bind.result()).isEqualTo(-99);  // EADDRNOTAVAIL: not an address of this host
            assertThat(bind.localAddr()).isEqualTo("192.0.2.1");
            assertThat(bind.localPort()).isEqualTo(4321);
        }
    }

    /** A rule reload makes the sensor report a destination it reported before (dest_seen emptied). */
    @Test
    void forgettingReportedDestinationsReportsThemAgain() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            int port = sink.getLocalPort();
            // One socket per line, each sending twice: a remembered destination sends no second event.
            Process p = python("""
                    import socket, sys
                    for line in sys.stdin:
                        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        for _ in range(2):
                            u.sendto(b"x", ("127.0.0.1", int(sys.argv[1])))
                        print(u.getsockname()[1], flush=True)
                    """, port);
            var in = p.outputWriter(StandardCharsets.UTF_8);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Predicate<NetEvent> mine = of(p, NetOp.CONNECT).and(n -> n.remotePort() == port);
            in.write("1\n");
            in.flush();
            int first = Integer.parseInt(out.readLine());
            events.await(NetEvent.class, mine.and(n -> n.localPort() == first), WAIT);
            in.write("2\n");
            in.flush();
            int remembered = Integer.parseInt(out.readLine());
            sensors.forgetReportedDestinations();
            in.write("3\n");
            in.close();
            int again = Integer.parseInt(out.readLine());
            assertThat(p.waitFor()).isZero();
            // The third socket's event comes after anything the second one's sends made.
            events.await(NetEvent.class, mine.and(n -> n.localPort() == again), WAIT);
            List<NetEvent> seen = events.drain().stream().filter(e -> e instanceof NetEvent n && mine.test(n))
                    .map(NetEvent.class::cast).toList();
            assertThat(seen).extracting(NetEvent::localPort).containsExactly(first, again).doesNotContain(remembered);
        }
    }

    /**
     * A process that gets the pid of one that sent to a destination before it is a new process: its
     * first datagram there is reported too (dest_seen keys on the start time with the pid). The
     * second child is made with clone3's set_tid, so both really have the same host pid.
     */
    @Test
    void aProcessReusingAPidReportsADestinationItsPredecessorSentTo() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            int port = sink.getLocalPort();
            Process p = python("""
                    import ctypes, os, socket, struct, sys
                    def child():
                        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", int(sys.argv[1])))
                        os._exit(0)
                    first = os.fork()
                    if first == 0:
                        child()
                    os.waitpid(first, 0)
                    print(first, flush=True)
                    sys.stdin.readline()
                    # clone3 (435) with set_tid = the reaped child's pid: struct clone_args, exit_signal SIGCHLD
                    libc = ctypes.CDLL(None, use_errno=True)
                    tid = ctypes.c_int(first)
                    args = ctypes.create_string_buffer(struct.pack("11Q", 0, 0, 0, 0, 17, 0, 0, 0,
                                                                   ctypes.addressof(tid), 1, 0), 88)
                    second = libc.syscall(435, args, ctypes.c_size_t(88))
                    if second == 0:
                        child()
                    if second < 0:
                        sys.exit("clone3 set_tid %d: %s" % (first, os.strerror(ctypes.get_errno())))
                    os.waitpid(second, 0)
                    print(second, flush=True)
                    """, port);
            var in = p.outputWriter(StandardCharsets.UTF_8);
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int pid = Integer.parseInt(out.readLine());
            Predicate<NetEvent> sentByPid = e -> e.process().pid() == pid && e.op() == NetOp.CONNECT
                    && e.remotePort() == port;
            events.await(NetEvent.class, sentByPid, WAIT);
            var afterFirst = events.mark();
            in.write("\n");
            in.close();
            assertThat(Integer.parseInt(out.readLine())).as("the second child's pid").isEqualTo(pid);
            assertThat(p.waitFor()).isZero();
            events.await(afterFirst, NetEvent.class, sentByPid, WAIT);
        }
    }

    /** A UDP datagram with a destination sent through a ring is its implicit connect, as a direct sendto. */
    @Test
    void aDatagramWithADestinationThroughIoUringIsAConnect() throws Exception {
        for (String mode : List.of("uring-send", "uring-sendmsg")) {
            for (List<String> how : List.of(List.<String>of(), List.of("sqpoll"), List.of("fixed"), List.of("zc"),
                    List.of("sqpoll", "fixed", "zc"))) {
                try (EventCollector events = new EventCollector(sensors, e -> true);
                     java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
                    int port = sink.getLocalPort();
                    Process p = probe(mode, "127.0.0.1", port, how);
                    assertThat(p.waitFor()).isZero();
                    NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                    assertThat(e.syscall()).as("%s %s", mode, how).isEqualTo("io_uring_enter");
                    assertThat(e.socketType()).isEqualTo(SocketType.DGRAM);
                    assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
                    assertThat(e.remotePort()).isEqualTo(port);
                    assertThat(e.process().comm()).isEqualTo("evade");
                }
            }
        }
    }

    /**
     * A ring send the kernel refuses (a broadcast without SO_BROADCAST: EACCES) is a failed connect carrying
     * the completion's result, as the refused direct sendto is; never a success. Without a completion on
     * success (skip), the send is reported at submission and its failure again at its completion.
     */
    @Test
    void aRefusedRingSendIsAFailedConnectAsARefusedSendto() throws Exception {
        int port = 33333;
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process direct = probe("sendto", "255.255.255.255", port, List.of());
            assertThat(direct.waitFor()).isZero();
            NetEvent d = events.await(NetEvent.class, of(direct, NetOp.CONNECT), WAIT);
            assertThat(d.result()).isEqualTo(-13);
            for (String mode : List.of("uring-send", "uring-sendmsg")) {
                for (List<String> how : List.of(List.<String>of(), List.of("sqpoll"), List.of("fixed"), List.of("zc"),
                        List.of("sqpoll", "fixed", "zc"))) {
                    Process p = probe(mode, "255.255.255.255", port, how);
                    assertThat(p.waitFor()).isZero();
                    NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                    assertThat(e.result()).as("%s %s", mode, how).isEqualTo(-13);
                    assertThat(e.syscall()).isEqualTo("io_uring_enter");
                    assertThat(e.remoteAddr()).isEqualTo("255.255.255.255");
                    assertThat(e.remotePort()).isEqualTo(port);
                }
                Process skip = probe(mode, "255.255.255.255", port, List.of("skip"));
                assertThat(skip.waitFor()).isZero();
                NetEvent failed = events.await(NetEvent.class, of(skip, NetOp.CONNECT).and(n -> n.result() < 0), WAIT);
                assertThat(failed.result()).as("%s skip", mode).isEqualTo(-13);
            }
        }
    }

    /** A ring send the kernel accepts is a connect with the bytes sent as its result, as sendto's. */
    @Test
    void anAcceptedRingSendCarriesItsResult() throws Exception {
        try (java.net.DatagramSocket sink = new java.net.DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
             EventCollector events = new EventCollector(sensors, e -> true)) {
            int port = sink.getLocalPort();
            for (String mode : List.of("sendto", "uring-send", "uring-sendmsg")) {
                Process p = probe(mode, "127.0.0.1", port, List.of());
                assertThat(p.waitFor()).isZero();
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                assertThat(e.result()).as(mode).isEqualTo(18);  // the probe's datagram: 18 bytes
            }
        }
    }

    /** A failed ring bind carries the address asked for (the kernel's copy, which the request still holds). */
    @Test
    void aFailedBindThroughIoUringCarriesItsAddress() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            Process p = probe("uring-bind", "192.0.2.1", 4321, List.of());
            assertThat(p.waitFor()).isZero();
            NetEvent e = events.await(NetEvent.class, of(p, NetOp.BIND), WAIT);
            assertThat(e.syscall()).isEqualTo("io_uring_enter");
            assertThat(e.result()).isEqualTo(-99);  // EADDRNOTAVAIL: not an address of this host
            assertThat(e.localAddr()).isEqualTo("192.0.2.1");
            assertThat(e.localPort()).isEqualTo(4321);
        }
    }

    @Test
    void netlinkAndIdleAcceptsAreNotReported() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket marker = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Process p = python("""
                    import socket, sys
                    n = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
                    n.bind((0, 0))
                    s = socket.socket()
                    s.bind(("127.0.0.1", 0))
                    s.listen(1)
                    s.setblocking(False)
                    try:
                        s.accept()
                    except BlockingIOError:
                        pass
                    socket.create_connection(("127.0.0.1", int(sys.argv[1])))
                    """, marker.getLocalPort());
            assertThat(p.waitFor()).isZero();
            // Events of one thread arrive in order: once the marker is in, the rest has been seen.
            events.await(NetEvent.class, of(p, NetOp.CONNECT).and(n -> n.remotePort() == marker.getLocalPort()), WAIT);
            List<NetEvent> mine = events.drain().stream().filter(NetEvent.class::isInstance).map(NetEvent.class::cast)
                    .filter(n -> n.process().pid() == p.pid()).toList();
            assertThat(mine).noneMatch(n -> n.family() == SocketFamily.NETLINK);
            assertThat(mine).noneMatch(n -> n.op() == NetOp.ACCEPT);
            assertThat(mine).anyMatch(n -> n.op() == NetOp.BIND && n.family() == SocketFamily.INET);
        }
    }

    @Test
    void ownProcessIsNeverReported() throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            try (Socket own = new Socket()) {
                own.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()));
            }
            Process p = new ProcessBuilder("/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + server.getLocalPort()).start();
            p.waitFor();
            events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
            long self = ProcessHandle.current().pid();
            assertThat(events.drain()).noneMatch(e -> e.process().pid() == self);
        }
    }

    @Test
    void aConnectThroughIoUringIsAConnectWithAndWithoutSqpollAndFixedFiles() throws Exception {
        // SQPOLL: the kernel's polling thread ("iou-sqp-PID", a thread of the process) submits it;
        // fixed: the socket is registered with the ring and the request names no fd.
        for (List<String> how : List.of(List.<String>of(), List.of("sqpoll"), List.of("fixed"),
                List.of("sqpoll", "fixed"))) {
            try (EventCollector events = new EventCollector(sensors, e -> true);
                 ServerSocket server = new ServerSocket(0, 4, InetAddress.getByName("127.0.0.1"))) {
                Process p = probe("uring-connect", "127.0.0.1", server.getLocalPort(), how);
                assertThat(p.waitFor()).isZero();
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                assertThat(e.syscall()).as("%s", how).isEqualTo("io_uring_enter");
                assertThat(e.result()).as("%s", how).isZero();
                assertThat(e.family()).isEqualTo(SocketFamily.INET);
                assertThat(e.socketType()).isEqualTo(SocketType.STREAM);
                assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
                assertThat(e.remotePort()).isEqualTo(server.getLocalPort());
                assertThat(e.localAddr()).isEqualTo("127.0.0.1");
                assertThat(e.localPort()).isPositive();
                assertThat(e.process().comm()).as("the process, not its ring's kernel thread").isEqualTo("evade");
            }
        }
    }

    @Test
    void aRefusedConnectThroughIoUringCarriesTheAddressTheKernelCopied() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();  // closed again: nobody listens there now
        }
        for (List<String> how : List.of(List.<String>of(), List.of("sqpoll"))) {
            try (EventCollector events = new EventCollector(sensors, e -> true)) {
                Process p = probe("uring-connect", "127.0.0.1", port, how);
                assertThat(p.waitFor()).isZero();
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.CONNECT), WAIT);
                assertThat(e.result()).as("%s", how).isEqualTo(-111);  // ECONNREFUSED
                assertThat(e.remoteAddr()).isEqualTo("127.0.0.1");
                assertThat(e.remotePort()).isEqualTo(port);
            }
        }
    }

    /** direct: the connection goes into a fixed-file slot (no fd); the slot's socket describes it. */
    @Test
    void anAcceptThroughIoUringIsAnAccept() throws Exception {
        for (List<String> how : List.of(List.<String>of(), List.of("direct"), List.of("sqpoll", "direct"))) {
            acceptThroughRing(how);
        }
    }

    private static void acceptThroughRing(List<String> how) throws Exception {
        try (EventCollector events = new EventCollector(sensors, e -> true)) {
            List<String> cmd = new java.util.ArrayList<>(List.of(io.eunomia.testkit.EvasionProbe.binary().toString(), "uring-accept"));
            cmd.addAll(how);
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            // Read without closing: the probe still writes its result when it is done.
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("output of the probe").startsWith("listening ");
            int port = Integer.parseInt(line.substring("listening ".length()).strip());
            try (Socket c = new Socket("127.0.0.1", port)) {
                assertThat(p.waitFor()).isZero();
                NetEvent e = events.await(NetEvent.class, of(p, NetOp.ACCEPT), WAIT);
                assertThat(e.syscall()).as("%s", how).isEqualTo("io_uring_enter");
                assertThat(e.result()).as("%s", how).isNotNegative();
                assertThat(e.localPort()).as("%s", how).isEqualTo(port);
                assertThat(e.remotePort()).as("%s", how).isEqualTo(c.getLocalPort());
                assertThat(e.remoteAddr()).as("%s", how).isEqualTo("127.0.0.1");
            }
        }
    }

    /**
     * A socket made through a ring is the privilege sensor's socket event (evt.type socket), by the
     * same filter: a packet socket is reported, an ordinary TCP socket is not.
     */
    @Test
    void aSocketThroughIoUringIsASocketCall() throws Exception {
        for (List<String> how : List.of(List.<String>of(), List.of("sqpoll"), List.of("direct"))) {
            try (EventCollector events = new EventCollector(sensors, e -> true)) {
                List<String> tcp = new java.util.ArrayList<>(List.of(io.eunomia.testkit.EvasionProbe.binary().toString(),
                        "uring-socket", "2", "1"));
                tcp.addAll(how);
                Process plain = new ProcessBuilder(tcp).redirectErrorStream(true).start();
                assertThat(plain.waitFor()).isZero();
                List<String> packet = new java.util.ArrayList<>(List.of(io.eunomia.testkit.EvasionProbe.binary().toString(),
                        "uring-socket", "17", "3"));
                packet.addAll(how);
                Process p = new ProcessBuilder(packet).redirectErrorStream(true).start();
                assertThat(p.waitFor()).isZero();
                io.eunomia.event.SyscallEvent e = events.await(io.eunomia.event.SyscallEvent.class,
                        s -> s.process().pid() == p.pid(), WAIT);
                assertThat(e.syscall()).as("%s", how).isEqualTo("socket");
                assertThat(e.args()).as("%s", how).containsEntry("family", 17L).containsEntry("type", 3L)
                        .containsEntry("protocol", 0L);
                assertThat(e.result()).as("%s: root may make packet sockets", how).isNotNegative();
                assertThat(e.process().comm()).isEqualTo("evade");
                assertThat(events.drain()).as("%s: a TCP socket is no event", how)
                        .noneMatch(x -> x.process().pid() == plain.pid() && x instanceof io.eunomia.event.SyscallEvent);
            }
        }
    }

    private static Process probe(String mode, String ip, int port, List<String> how) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(io.eunomia.testkit.EvasionProbe.binary().toString(), mode,
                ip, String.valueOf(port)));
        cmd.addAll(how);
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /**
     * An IP event of the child. Its C library may talk to local sockets first (name service,
     * systemd userdb) depending on the host's nsswitch set-up; those are not what a test asks.
     */
    private static Predicate<NetEvent> of(Process p, NetOp op) {
        return e -> e.process().pid() == p.pid() && e.op() == op && e.family() != SocketFamily.UNIX;
    }

    private static Predicate<NetEvent> unixOf(Process p, NetOp op) {
        return e -> e.process().pid() == p.pid() && e.op() == op && e.family() == SocketFamily.UNIX;
    }

    private static Process python(String script, Object... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>(List.of(PYTHON, "-c", script));
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process p) throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertThat(line).as("output of the child").isNotNull();
            return line.strip();
        }
    }
}
