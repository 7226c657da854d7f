package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import dev.tessera.api.types.ImageBatch;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST container), plain or gzip-compressed.
 *
 * <p>Layout: {@code 00 00 <type> <ndims>}, then {@code ndims} big-endian int32 sizes, then the
 * data in row-major order. Only type {@code 0x08} (unsigned byte) is supported, which is what
 * every MNIST-style dataset uses. Compression is detected from the gzip magic {@code 1f 8b}, not
 * from the file name, so renamed files still work.
 *
 * <p>Every size in the header is validated before anything is allocated: plain files are checked
 * against their length, and gzip data is read incrementally into a growing buffer so that a
 * corrupt header cannot trigger a huge allocation.
 */
public final class IdxReader {
  /** Largest payload accepted (1 GiB); Fashion-MNIST train images are 47 MB. */
  public static final long MAX_DATA_BYTES = 1L << 30;

  private static final int TYPE_UNSIGNED_BYTE = 0x08;
  private static final int GZIP_MAGIC_0 = 0x1f;
  private static final int GZIP_MAGIC_1 = 0x8b;
  private static final int INITIAL_GZIP_BUFFER = 1 << 20;
  private static final int IO_BUFFER = 1 << 16;

  /** value / 255 for every byte value; avoids a division per pixel. */
  private static final float[] UNIT_FLOATS = new float[256];

  static {
    for (int i = 0; i < 256; i++) {
      UNIT_FLOATS[i] = i / 255f;
    }
  }

  private IdxReader() {}

  /** The float each byte value 0..255 becomes (value / 255), a copy: what a reader elsewhere (a cluster task's graph) must match. */
  public static float[] unitFloats() {
    return UNIT_FLOATS.clone();
  }

  /**
   * Images from a 3-dimensional IDX file: {@code count} images of {@code rows x cols} unsigned
   * bytes, stored row-major in {@code pixels} (not copied by the record; treat it as read-only).
   */
  public record Images(int count, int rows, int cols, byte[] pixels) {
    public Images {
      if (count < 0 || rows <= 0 || cols <= 0) {
        throw new IllegalArgumentException(
            "bad image dimensions " + count + "x" + rows + "x" + cols);
      }
      if (pixels == null || pixels.length != (long) count * rows * cols) {
        throw new IllegalArgumentException(
            "expected " + ((long) count * rows * cols) + " pixels, got "
                + (pixels == null ? "null" : pixels.length));
      }
    }

    /** Pixel value 0..255 of image {@code n} at row {@code y}, column {@code x}. */
    public int pixel(int n, int y, int x) {
      return pixels[(n * rows + y) * cols + x] & 0xff;
    }

    /** All pixels as floats in [0, 1] (value / 255), same order. */
    public float[] toFloats() {
      float[] out = new float[pixels.length];
      for (int i = 0; i < pixels.length; i++) {
        out[i] = UNIT_FLOATS[pixels[i] & 0xff];
      }
      return out;
    }

    /** The images as a single-channel {@link ImageBatch} with values in [0, 1]. */
    public ImageBatch toImageBatch() {
      return new ImageBatch(count, rows, cols, 1, toFloats());
    }
  }

  /** Reads an images file (3 dimensions: count, rows, cols). */
  public static Images readImages(Path file) {
    Raw raw = read(file, 3, "pixel");
    int[] d = raw.dims;
    if (d[1] == 0 || d[2] == 0) {
      throw new DataFormatException(file, "image size " + d[1] + "x" + d[2] + " is empty");
    }
    return new Images(d[0], d[1], d[2], raw.data);
  }

  /** Reads a labels file (1 dimension: count); values are 0..255. */
  public static int[] readLabels(Path file) {
    byte[] data = read(file, 1, "label").data;
    int[] labels = new int[data.length];
    for (int i = 0; i < data.length; i++) {
      labels[i] = data[i] & 0xff;
    }
    return labels;
  }

  private record Raw(int[] dims, byte[] data) {}

  private static Raw read(Path file, int expectedDims, String dataKind) {
    long fileSize;
    try {
      if (Files.isDirectory(file)) {
        throw new DataFormatException(file, "is a directory, expected an IDX file");
      }
      fileSize = Files.size(file);
    } catch (NoSuchFileException e) {
      throw new DataFormatException(file, "file not found", e);
    } catch (IOException e) {
      throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
    }

    boolean gzip = false;
    try (InputStream fileIn = Files.newInputStream(file);
        BufferedInputStream buffered = new BufferedInputStream(fileIn, IO_BUFFER)) {
      buffered.mark(2);
      gzip = buffered.read() == GZIP_MAGIC_0 && buffered.read() == GZIP_MAGIC_1;
      buffered.reset();
      InputStream in = gzip ? new GZIPInputStream(buffered, IO_BUFFER) : buffered;
      // For plain files we know exactly how many bytes remain; for gzip we only learn it by reading.
      long plainSize = gzip ? -1 : fileSize;
      return readBody(file, in, plainSize, gzip, expectedDims, dataKind);
    } catch (ZipException | EOFException e) {
      if (gzip) {
        throw new DataFormatException(file, "corrupt or truncated gzip data: " + e.getMessage(), e);
      }
      throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataFormatException(file, "cannot read: " + e.getMessage(), e);
    }
  }

  private static Raw readBody(
      Path file, InputStream in, long plainSize, boolean gzip, int expectedDims, String dataKind)
      throws IOException {
    String where = gzip ? " (after gunzip)" : "";
    byte[] magic = new byte[4];
    int got = readFully(in, magic, 0, 4);
    if (got == 0) {
      throw new DataFormatException(file, "empty file" + where + ", expected an IDX header");
    }
    if (got < 4) {
      throw new DataFormatException(
          file, "truncated header" + where + ": expected 4 magic bytes, found " + got);
    }
    String expectedMagic = String.format("00 00 08 %02x", expectedDims);
    if (magic[0] != 0 || magic[1] != 0) {
      throw new DataFormatException(
          file, "not an IDX file: magic bytes" + where + " are " + hex(magic)
              + ", expected " + expectedMagic);
    }
    int type = magic[2] & 0xff;
    if (type != TYPE_UNSIGNED_BYTE) {
      throw new DataFormatException(
          file, String.format(
              "unsupported IDX data type 0x%02x (%s); only 0x08 (unsigned byte) is supported",
              type, typeName(type)));
    }
    int ndims = magic[3] & 0xff;
    if (ndims != expectedDims) {
      String kind = expectedDims == 3 ? "images" : "labels";
      String hint = ndims == 1 ? " (is this a labels file?)"
          : ndims == 3 ? " (is this an images file?)" : "";
      throw new DataFormatException(
          file, "wrong number of dimensions: expected " + expectedDims + " for " + kind
              + ", found " + ndims + hint);
    }

    byte[] header = new byte[4 * ndims];
    got = readFully(in, header, 0, header.length);
    if (got < header.length) {
      throw new DataFormatException(
          file, "truncated header: expected " + ndims + " dimension sizes (" + header.length
              + " bytes), found " + got + " bytes");
    }
    int[] dims = new int[ndims];
    long expected = 1;
    for (int i = 0; i < ndims; i++) {
      int b = 4 * i;
      dims[i] = (header[b] & 0xff) << 24 | (header[b + 1] & 0xff) << 16
          | (header[b + 2] & 0xff) << 8 | (header[b + 3] & 0xff);
      if (dims[i] < 0) {
        throw new DataFormatException(
            file, "dimension " + i + " has negative size " + dims[i]);
      }
      // expected <= 2^30 and dims[i] < 2^31 before this multiply, so it cannot overflow.
      expected *= dims[i];
      if (expected > MAX_DATA_BYTES) {
        throw new DataFormatException(
            file, "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                + (i + 1 < ndims ? " (and more)" : "") + " exceed the "
                + (MAX_DATA_BYTES >> 20) + " MiB size limit");
      }
    }

    int headerSize = 4 + header.length;
    if (plainSize >= 0) {
      long available = plainSize - headerSize;
      if (available < expected) {
        throw truncated(file, expected, available, dataKind);
      }
      if (available > expected) {
        throw trailing(file, expected, available - expected, dataKind);
      }
      byte[] data = new byte[(int) expected];
      got = readFully(in, data, 0, data.length);
      if (got < expected) { // the file shrank while we were reading it
        throw truncated(file, expected, got, dataKind);
      }
      return new Raw(dims, data);
    }

    // gzip: grow the buffer as data actually arrives rather than trusting the header.
    byte[] data = new byte[(int) Math.min(expected, INITIAL_GZIP_BUFFER)];
    int n = 0;
    while (n < expected) {
      if (n == data.length) {
        data = Arrays.copyOf(data, (int) Math.min(expected, 2L * data.length));
      }
      int r = in.read(data, n, data.length - n);
      if (r < 0) {
        throw truncated(file, expected, n, dataKind);
      }
      n += r;
    }
    long extra = countRemaining(in);
    if (extra > 0) {
      throw trailing(file, expected, extra, dataKind);
    }
    return new Raw(dims, data);
  }

  private static DataFormatException truncated(
      Path file, long expected, long found, String dataKind) {
    return new DataFormatException(
        file, "truncated: expected " + expected + " bytes of " + dataKind + " data, found "
            + found);
  }

  private static DataFormatException trailing(
      Path file, long expected, long extra, String dataKind) {
    String count = extra >= MAX_DATA_BYTES ? "at least " + extra : Long.toString(extra);
    return new DataFormatException(
        file, "trailing bytes: " + count + " unexpected bytes after the " + expected
            + " bytes of " + dataKind + " data declared in the header");
  }

  /** Reads until {@code len} bytes or end of stream; returns the number read. */
  private static int readFully(InputStream in, byte[] buf, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(buf, off + n, len - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return n;
  }

  /** Counts bytes left in the stream, stopping at the size limit (a gzip bomb is not worth reading). */
  private static long countRemaining(InputStream in) throws IOException {
    byte[] scratch = new byte[8192];
    long total = 0;
    int r;
    while (total < MAX_DATA_BYTES && (r = in.read(scratch)) >= 0) {
      total += r;
    }
    return total;
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", b & 0xff));
    }
    return sb.toString();
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x09 -> "signed byte";
      case 0x0b -> "short";
      case 0x0c -> "int";
      case 0x0d -> "float";
      case 0x0e -> "double";
      default -> "unknown";
    };
  }
}
