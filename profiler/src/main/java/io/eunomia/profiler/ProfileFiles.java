package io.eunomia.profiler;

import io.eunomia.profiler.internal.ProfileReader;
import io.eunomia.profiler.internal.ProfileWriter;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.regex.Pattern;

/**
 * Reading and writing learned profiles ({@code apiVersion: eunomia.io/v1}, {@code kind:
 * LearnedProfile}; schema in {@code policies/schema/profile-v1.schema.json}).
 *
 * <p>Reading is strict and every problem is a {@link ProfileFormatException} with file, line and
 * column. Writing is atomic (temporary file, fsync, rename): a crash or {@code kill -9} leaves the
 * old profile or the new one, never a torn file.
 */
public final class ProfileFiles {
    /** The largest profile file read (a real one is tens of kilobytes). */
    public static final long MAX_BYTES = 16L << 20;
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_.-]");

    private ProfileFiles() {}

    /** Reads a profile file (YAML, or the JSON form). */
    public static Profile read(Path file) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such profile file");
        }
        if (size > MAX_BYTES) {
            throw new ProfileFormatException(file.toString(), 1, 1, "file is " + size + " bytes; a profile is at most "
                    + MAX_BYTES + " (is this a profile?)");
        }
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProfileFormatException(file.toString(), 1, 1, "not UTF-8 text; expected a YAML profile");
        }
        return parse(file.toString(), text);
    }

    /** Parses profile text; {@code file} names it in errors. */
    public static Profile parse(String file, String text) throws ProfileFormatException {
        return ProfileReader.read(file, text);
    }

    /** Writes {@code profile} to {@code file} atomically as YAML. */
    public static void write(Path file, Profile profile) throws IOException {
        AtomicFiles.write(file, toYaml(profile));
    }

    public static String toYaml(Profile profile) {
        return ProfileWriter.toYaml(profile);
    }

    /** The same document as JSON (the reader takes it too). */
    public static String toJson(Profile profile) {
        return ProfileWriter.toJson(profile);
    }

    /**
     * A file name for a profile of {@code name}: characters other than letters, digits, '_', '.'
     * and '-' become '_' (an image's '/' and ':' too), never starting with '.', so no container
     * or image name can lead outside the directory.
     */
    public static String fileName(String name) {
        String safe = UNSAFE.matcher(name).replaceAll("_");
        if (safe.isEmpty() || safe.startsWith(".")) {
            safe = "_" + safe;
        }
        if (safe.length() > 200) {
            safe = safe.substring(0, 200);
        }
        return safe + ".yaml";
    }
}
