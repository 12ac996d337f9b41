package io.eunomia.bpf.internal;

import java.util.Objects;

/**
 * The C layouts of events.h as the Java side reads and writes them, named: a struct and its
 * members, each at its offset from the start of the record and of the width its type says
 * ({@link RecordReader} reads an {@link Int16} only as 16 bits). LayoutTest checks every struct
 * and member declared in this package against the BTF of the built BPF objects, so a member
 * moved, resized or renamed in events.h fails the build instead of being misread.
 */
public final class Layout {
    private Layout() {}

    /** A struct of events.h and its size (sizeof). */
    public record Struct(String name, int size) {
        public Int8 int8(String member, int offset) {
            return new Int8(this, member, offset, 1);
        }

        public Int16 int16(String member, int offset) {
            return new Int16(this, member, offset, 1);
        }

        /** An array of count 16-bit values. */
        public Int16 int16s(String member, int offset, int count) {
            return new Int16(this, member, offset, count);
        }

        public Int32 int32(String member, int offset) {
            return new Int32(this, member, offset, 1);
        }

        public Int32 int32s(String member, int offset, int count) {
            return new Int32(this, member, offset, count);
        }

        public Int64 int64(String member, int offset) {
            return new Int64(this, member, offset, 1);
        }

        public Int64 int64s(String member, int offset, int count) {
            return new Int64(this, member, offset, count);
        }

        /** A char/byte array of length bytes (a NUL-padded string or raw bytes). */
        public Chars chars(String member, int offset, int length) {
            return new Chars(this, member, offset, length, 1);
        }

        /** count char arrays of length bytes each, back to back (char x[count][length]). */
        public Chars chars(String member, int offset, int length, int count) {
            return new Chars(this, member, offset, length, count);
        }
    }

    /** A member of a struct: count elements of size bytes from offset (count 1: not an array). */
    public sealed interface Member permits Int8, Int16, Int32, Int64, Chars {
        Struct struct();

        String name();

        int offset();

        /** Bytes of one element. */
        int size();

        int count();

        /** Where element i starts. */
        default long at(int i) {
            return offset() + (long) Objects.checkIndex(i, count()) * size();
        }
    }

    public record Int8(Struct struct, String name, int offset, int count) implements Member {
        @Override
        public int size() {
            return 1;
        }
    }

    public record Int16(Struct struct, String name, int offset, int count) implements Member {
        @Override
        public int size() {
            return 2;
        }
    }

    public record Int32(Struct struct, String name, int offset, int count) implements Member {
        @Override
        public int size() {
            return 4;
        }
    }

    public record Int64(Struct struct, String name, int offset, int count) implements Member {
        @Override
        public int size() {
            return 8;
        }
    }

    public record Chars(Struct struct, String name, int offset, int size, int count) implements Member {}
}
