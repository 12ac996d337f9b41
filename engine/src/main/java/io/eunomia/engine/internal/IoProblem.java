package io.eunomia.engine.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/** Why a file operation failed, in a few words for a message that already names the file. */
public final class IoProblem {
    private IoProblem() {}

    /** "no such file or directory", "permission denied", ... (never the exception's class or the path again). */
    public static String describe(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such file or directory";
            case AccessDeniedException a -> "permission denied";
            case NotDirectoryException d -> "not a directory";
            case FileAlreadyExistsException x -> "a file is in the way" + (x.getFile() == null ? "" : ": " + x.getFile());
            case FileSystemException f when f.getReason() != null -> f.getReason().toLowerCase(Locale.ROOT);
            default -> e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().substring(0, 1).toLowerCase(Locale.ROOT) + e.getMessage().substring(1);
        };
    }
}
