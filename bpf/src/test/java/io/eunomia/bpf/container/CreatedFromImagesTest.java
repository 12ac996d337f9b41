package io.eunomia.bpf.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The bound of the images containers were created from: the container recorded or looked up least
 * recently goes first, so a long-lived container (the engine lists it again and again) outlives a
 * stream of short ones. Failed on the insertion-ordered map: the first recorded went first however
 * often it was recorded again.
 */
class CreatedFromImagesTest {
    private static final String IMAGE_A = "sha256:" + "a".repeat(64);
    private static final String IMAGE_B = "sha256:" + "b".repeat(64);

    @Test
    void theContainerRecordedLeastRecentlyIsForgottenFirstAndCounted() {
        CreatedFromImages images = new CreatedFromImages(2);
        images.record("long-lived", IMAGE_A);
        images.record("short-1", IMAGE_B);
        images.record("long-lived", IMAGE_A);  // listed again while it lives
        images.record("short-2", IMAGE_B);

        assertThat(images.of("long-lived")).contains(IMAGE_A);
        assertThat(images.of("short-1")).as("recorded least recently: forgotten").isEmpty();
        assertThat(images.of("short-2")).contains(IMAGE_B);
        assertThat(images.forgotten()).isEqualTo(1);
    }

    @Test
    void aLookUpKeepsAContainerToo() {
        CreatedFromImages images = new CreatedFromImages(2);
        images.record("first", IMAGE_A);
        images.record("second", IMAGE_B);
        assertThat(images.of("first")).contains(IMAGE_A);
        images.record("third", IMAGE_B);

        assertThat(images.of("second")).isEmpty();
        assertThat(images.of("first")).contains(IMAGE_A);
        assertThat(images.forgotten()).isEqualTo(1);
    }

    @Test
    void onlyImageIdsAreRecorded() {
        CreatedFromImages images = new CreatedFromImages(2);
        images.record("named", "busybox:latest");
        images.record("bare", "a".repeat(64));
        assertThat(images.of("named")).isEmpty();
        assertThat(images.of("bare")).isEmpty();
        assertThat(images.forgotten()).isZero();
    }
}
