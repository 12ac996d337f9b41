package io.eunomia.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import io.eunomia.event.NetInterest;
import org.junit.jupiter.api.Test;

/** The net filter's word and port bitmaps as net.bpf.c reads them (the live check: NetFilterLiveTest). */
class NetFilterMapTest {
    private static boolean wanted(byte[] bitmaps, int cls, int port) {
        return (bitmaps[cls * NetFilterMap.PORT_BYTES + (port >>> 3)] & (1 << (port & 7))) != 0;
    }

    @Test
    void aClassWithPortsIsJudgedByItsBitmap() {
        NetInterest n = NetInterest.parse("connect:not-loopback,connect:loopback[22 6443 8000-8100]");
        int bits = NetFilterMap.bits(n);
        // classes: connect 0 (not loopback), 1 (loopback); accept 2, 3; bind 4, 5; listen 6, 7
        assertThat(bits & 0xff).as("kept whole").isEqualTo(0b1111_1100);
        assertThat(bits >>> NetFilterMap.BY_PORT_SHIFT).as("judged by port").isEqualTo(0b10);
        byte[] maps = NetFilterMap.portBitmaps(n);
        assertThat(maps).hasSize(NetFilterMap.CLASSES * NetFilterMap.PORT_BYTES);
        for (int port : new int[] {22, 6443, 8000, 8050, 8100}) {
            assertThat(wanted(maps, 1, port)).as("%d", port).isTrue();
        }
        for (int port : new int[] {0, 21, 23, 6442, 7999, 8101, 45678, 65535}) {
            assertThat(wanted(maps, 1, port)).as("%d", port).isFalse();
        }
    }

    @Test
    void everyOrNoEventNeedsNoBitmap() {
        assertThat(NetFilterMap.bits(NetInterest.ALL)).isZero();
        assertThat(NetFilterMap.bits(NetInterest.NONE)).isEqualTo(0xff);
        assertThat(NetFilterMap.bits(NetInterest.parse("bind[4444]")) >>> NetFilterMap.BY_PORT_SHIFT).isEqualTo(0b11_0000);
    }
}
