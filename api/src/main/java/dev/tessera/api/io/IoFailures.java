package dev.tessera.api.io;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * What went wrong with a file, in words a user can act on: the deepest cause that says something
 * ("No space left on device", "permission denied"), not the wrapper's ("I/O error writing PNG
 * file!") or a bare path (NIO's exceptions' messages are the path, which the caller already names).
 */
public final class IoFailures {
  private IoFailures() {}

  public static String describe(Throwable e) {
    String best = null;
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      String s = plain(t);
      if (s != null) {
        best = s;
      }
    }
    return best != null ? best : e.getClass().getSimpleName();
  }

  private static String plain(Throwable t) {
    if (t instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (t instanceof NoSuchFileException) {
      return "no such file or folder";
    }
    if (t instanceof NotDirectoryException) {
      return "not a folder";
    }
    if (t instanceof FileAlreadyExistsException) {
      return "already exists";
    }
    if (t instanceof FileSystemException fse) {
      return fse.getReason();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? null : m;
  }
}
