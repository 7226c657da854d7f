package dev.tessera.api.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Text files written the way checkpoints are: to a temporary file beside the target, synced, then
 * renamed over it, so a reader never sees half a file and a failed write leaves the old one.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code text} as UTF-8 to {@code file}, creating its folder; a failure is a TesseraException naming the file. */
  public static void writeString(Path file, String text) {
    ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    SafeTensors.writeAtomically(file, channel -> {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    });
  }
}
