package io.eunomia.bpf.container;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A read-only look into a bbolt database file (the store containerd keeps its metadata in), without
 * taking its lock: bbolt writes copy-on-write and publishes a transaction by writing one of its two
 * meta pages last, so the valid meta page with the higher transaction id names a consistent tree.
 * A page reused by a later transaction while we read can still show garbage: every offset is
 * bounds-checked, and a malformed read is {@link Malformed}, which callers treat as "not found, ask
 * again later".
 *
 * <p>Layout (bbolt's page.go, bucket.go): a 16-byte page header (id u64, flags u16, count u16,
 * overflow u32); meta pages 0 and 1 (magic 0xED0CDAED, version 2, page size, flags, root bucket
 * {root page u64, sequence u64}, freelist u64, high-water page u64, txid u64, FNV-1a 64 checksum
 * over the fields before it); branch elements (pos u32, ksize u32, page u64), leaf elements (flags
 * u32, pos u32, ksize u32, vsize u32) with pos relative to the element; a value flagged 1 is a
 * sub-bucket: its 16-byte header, then, when its root page is 0, the inline page itself.
 */
final class BoltFile implements AutoCloseable {
    /** The file did not parse as a bbolt database (or changed under us). */
    static final class Malformed extends RuntimeException {
        Malformed(String message) {
            super(message);
        }
    }

    private static final int MAGIC = 0xED0CDAED;
    private static final int HEADER = 16;
    private static final int BRANCH = 0x01;
    private static final int LEAF = 0x02;
    private static final int BUCKET_VALUE = 0x01;
    private static final int MAX_DEPTH = 64;

    /** A bucket: the page its tree starts at, or its inline page (then {@code inline} holds it). */
    record Bucket(long root, ByteBuffer inline) {}

    private final FileChannel channel;
    private final ByteBuffer file;
    private final int pageSize;
    private final long highWater;
    private final Bucket root;

    private BoltFile(FileChannel channel, ByteBuffer file) {
        this.channel = channel;
        this.file = file.order(ByteOrder.LITTLE_ENDIAN);
        long[] best = null;
        for (int candidate : new int[] {0, pageSizeAt(0)}) {
            long[] m = meta(candidate);
            if (m != null && (best == null || m[3] > best[3])) {
                best = m;
            }
        }
        if (best == null) {
            throw new Malformed("no valid meta page");
        }
        this.pageSize = (int) best[0];
        this.root = new Bucket(best[1], null);
        this.highWater = best[2];
    }

    static BoltFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new BoltFile(ch, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()));
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The page size the first meta page states (the second meta page is page 1). */
    private int pageSizeAt(int offset) {
        if (file.capacity() < offset + HEADER + 16) {
            throw new Malformed("too short");
        }
        int ps = file.getInt(offset + HEADER + 8);
        return ps >= 512 && ps <= (1 << 16) ? ps : 4096;
    }

    /** {page size, root page, high water, txid} of a valid meta page at {@code offset}, or null. */
    private long[] meta(int offset) {
        int m = offset + HEADER;
        if (file.capacity() < m + 64 || file.getInt(m) != MAGIC || file.getInt(m + 4) != 2) {
            return null;
        }
        long hash = 0xcbf29ce484222325L;   // FNV-1a 64 over the 56 bytes before the checksum
        for (int i = 0; i < 56; i++) {
            hash ^= file.get(m + i) & 0xff;
            hash *= 0x100000001b3L;
        }
        if (hash != file.getLong(m + 56)) {
            return null;
        }
        return new long[] {file.getInt(m + 8), file.getLong(m + 16), file.getLong(m + 40), file.getLong(m + 48)};
    }

    Bucket root() {
        return root;
    }

    /** A sub-bucket of {@code parent}; empty when there is no such key or it holds a plain value. */
    Optional<Bucket> bucket(Bucket parent, String name) {
        return find(parent, name.getBytes(StandardCharsets.UTF_8)).filter(e -> (e.flags & BUCKET_VALUE) != 0)
                .map(e -> asBucket(e.value));
    }

    /** A plain value of {@code parent}; empty when there is no such key or it is a bucket. */
    Optional<String> value(Bucket parent, String name) {
        return find(parent, name.getBytes(StandardCharsets.UTF_8)).filter(e -> (e.flags & BUCKET_VALUE) == 0)
                .map(e -> StandardCharsets.UTF_8.decode(e.value).toString());
    }

    /** Every plain value of a bucket, in key order (sub-buckets left out). */
    Map<String, String> values(Bucket b) {
        Map<String, String> out = new LinkedHashMap<>();
        walk(pageOf(b), b, 0, (flags, key, value) -> {
            if ((flags & BUCKET_VALUE) == 0) {
                out.put(StandardCharsets.UTF_8.decode(key).toString(), StandardCharsets.UTF_8.decode(value).toString());
            }
        });
        return out;
    }

    /** The names of a bucket's sub-buckets, in key order. */
    java.util.List<String> subBuckets(Bucket b) {
        java.util.List<String> out = new java.util.ArrayList<>();
        walk(pageOf(b), b, 0, (flags, key, value) -> {
            if ((flags & BUCKET_VALUE) != 0) {
                out.add(StandardCharsets.UTF_8.decode(key).toString());
            }
        });
        return out;
    }

    /** Whether a bucket's tree has branch pages (more keys than one page holds). */
    boolean branches(Bucket b) {
        Page p = pageOf(b);
        return (p.buf().getShort(p.at() + 8) & BRANCH) != 0;
    }

    private record Entry(int flags, ByteBuffer value) {}

    private interface Visitor {
        void visit(int flags, ByteBuffer key, ByteBuffer value);
    }

    /** A page: the buffer and the offset its header starts at. */
    private record Page(ByteBuffer buf, int at) {}

    private Page pageOf(Bucket b) {
        return b.inline() != null ? new Page(b.inline(), 0) : page(b.root());
    }

    private Page page(long id) {
        if (id < 2 || id >= highWater || (long) (id + 1) * pageSize > file.capacity()) {
            throw new Malformed("page " + id + " out of range");
        }
        return new Page(file, (int) (id * pageSize));
    }

    private Bucket asBucket(ByteBuffer v) {
        if (v.remaining() < 16) {
            throw new Malformed("short bucket header");
        }
        long rootPage = v.getLong(v.position());
        if (rootPage != 0) {
            return new Bucket(rootPage, null);
        }
        return new Bucket(0, v.slice(v.position() + 16, v.remaining() - 16).order(ByteOrder.LITTLE_ENDIAN));
    }

    private Optional<Entry> find(Bucket b, byte[] key) {
        Page p = pageOf(b);
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            int flags = p.buf().getShort(p.at() + 8) & 0xffff;
            int count = p.buf().getShort(p.at() + 10) & 0xffff;
            if ((flags & BRANCH) != 0) {
                long next = -1;
                for (int i = 0; i < count; i++) {
                    int e = p.at() + HEADER + i * 16;
                    ByteBuffer k = slice(p.buf(), e + p.buf().getInt(e), p.buf().getInt(e + 4));
                    if (i > 0 && compare(k, key) > 0) {
                        break;
                    }
                    next = p.buf().getLong(e + 8);
                }
                if (next < 0) {
                    return Optional.empty();
                }
                p = page(next);
            } else if ((flags & LEAF) != 0) {
                for (int i = 0; i < count; i++) {
                    int e = p.at() + HEADER + i * 16;
                    int pos = p.buf().getInt(e + 4);
                    int ks = p.buf().getInt(e + 8);
                    int vs = p.buf().getInt(e + 12);
                    if (compare(slice(p.buf(), e + pos, ks), key) == 0) {
                        return Optional.of(new Entry(p.buf().getInt(e), slice(p.buf(), e + pos + ks, vs)));
                    }
                }
                return Optional.empty();
            } else {
                throw new Malformed("page flags " + flags);
            }
        }
        throw new Malformed("tree deeper than " + MAX_DEPTH);
    }

    private void walk(Page p, Bucket owner, int depth, Visitor v) {
        if (depth > MAX_DEPTH) {
            throw new Malformed("tree deeper than " + MAX_DEPTH);
        }
        int flags = p.buf().getShort(p.at() + 8) & 0xffff;
        int count = p.buf().getShort(p.at() + 10) & 0xffff;
        for (int i = 0; i < count; i++) {
            int e = p.at() + HEADER + i * 16;
            if ((flags & BRANCH) != 0) {
                walk(page(p.buf().getLong(e + 8)), owner, depth + 1, v);
            } else if ((flags & LEAF) != 0) {
                int pos = p.buf().getInt(e + 4);
                int ks = p.buf().getInt(e + 8);
                v.visit(p.buf().getInt(e), slice(p.buf(), e + pos, ks), slice(p.buf(), e + pos + ks, p.buf().getInt(e + 12)));
            } else {
                throw new Malformed("page flags " + flags);
            }
        }
    }

    private static ByteBuffer slice(ByteBuffer buf, int at, int length) {
        if (at < 0 || length < 0 || (long) at + length > buf.capacity()) {
            throw new Malformed("element out of range");
        }
        return buf.slice(at, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** bbolt orders keys bytewise, unsigned. */
    private static int compare(ByteBuffer a, byte[] b) {
        byte[] x = new byte[a.remaining()];
        a.duplicate().get(x);
        return Arrays.compareUnsigned(x, b);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
