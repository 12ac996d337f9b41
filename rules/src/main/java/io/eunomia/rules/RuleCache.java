package io.eunomia.rules;

import io.eunomia.rules.internal.DirectoryRuleCache;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where built rule bases (kjars: the executable model's compiled classes) are kept between runs,
 * by a key over everything the build depends on, so a start with rules built before skips the
 * compiler. A kjar is code the engine runs: a cache must be writable by the engine's user only.
 */
public interface RuleCache {
    /** A kjar built before under this key. */
    Optional<byte[]> get(String key);

    /** Keeps a kjar; a cache that cannot write says so in the log and carries on. */
    void put(String key, byte[] kjar);

    /** No cache: every start compiles. */
    RuleCache NONE = new RuleCache() {
        @Override
        public Optional<byte[]> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, byte[] kjar) {}
    };

    /**
     * A directory of kjars, created 0700 if missing. It is refused (and nothing cached) when
     * another user owns it or others may write to it.
     */
    static RuleCache directory(Path dir) {
        return new DirectoryRuleCache(dir);
    }
}
