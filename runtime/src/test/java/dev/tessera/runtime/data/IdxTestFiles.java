package dev.tessera.runtime.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small IDX files for tests (of this package and others: the cluster tests read one on their workers). */
public final class IdxTestFiles {
  private IdxTestFiles() {}

  /** Header {@code 00 00 08 ndims} + big-endian dims, followed by {@code data}. */
  public static byte[] idx(int[] dims, byte[] data) {
    ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
    buf.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
    for (int d : dims) {
      buf.putInt(d);
    }
    buf.put(data);
    return buf.array();
  }

  public static byte[] gzip(byte[] bytes) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (OutputStream gz = new GZIPOutputStream(out)) {
        gz.write(bytes);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path write(Path file, byte[] bytes) {
    try {
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code count} images of {@code rows x cols}; the i-th byte (row-major) is (7 * i) mod 256. */
  public static byte[] pixels(int count, int rows, int cols) {
    byte[] p = new byte[count * rows * cols];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) (i * 7);
    }
    return p;
  }

  public static void writeImages(Path file, int count, int rows, int cols, boolean gz) {
    byte[] bytes = idx(new int[] {count, rows, cols}, pixels(count, rows, cols));
    write(file, gz ? gzip(bytes) : bytes);
  }

  public static void writeLabels(Path file, int[] labels, boolean gz) {
    byte[] data = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      data[i] = (byte) labels[i];
    }
    byte[] bytes = idx(new int[] {labels.length}, data);
    write(file, gz ? gzip(bytes) : bytes);
  }
}
