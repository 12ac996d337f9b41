package io.eunomia.abi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ErrnoTest {
    @Test
    void namesAndNumbersBothWays() {
        assertThat(Errno.name(1)).isEqualTo("EPERM");
        assertThat(Errno.name(-38)).isEqualTo("ENOSYS");
        assertThat(Errno.name(111)).isEqualTo("ECONNREFUSED");
        assertThat(Errno.name(524)).isEqualTo("ENOTSUPP");
        assertThat(Errno.name(999)).isEqualTo("E999");
        assertThat(Errno.number("eperm")).hasValue(1);
        assertThat(Errno.number("EWOULDBLOCK")).isEqualTo(Errno.number("EAGAIN"));
        assertThat(Errno.number("ENOPE")).isEmpty();
    }
}
