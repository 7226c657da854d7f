package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import static dev.tessera.runtime.data.IdxTestFiles.gzip;
import static dev.tessera.runtime.data.IdxTestFiles.idx;
import static dev.tessera.runtime.data.IdxTestFiles.pixels;
import static dev.tessera.runtime.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.types.ImageBatch;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
  @TempDir Path dir;

  /** Asserts a DataFormatException whose message names the file and contains every phrase. */
  private static DataFormatException assertFails(Path file, Executable read, String... phrases) {
    DataFormatException e = assertThrows(DataFormatException.class, read);
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    for (String phrase : phrases) {
      assertTrue(e.getMessage().contains(phrase),
          "expected '" + phrase + "' in: " + e.getMessage());
    }
    return e;
  }

  /** Writes {@code bytes}, gzipped if asked, to a file whose name does not reveal compression. */
  private Path file(byte[] bytes, boolean gz) {
    return write(dir.resolve(gz ? "data-gz" : "data"), gz ? gzip(bytes) : bytes);
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void readsImages(boolean gz) {
    byte[] pixels = pixels(3, 4, 5);
    Path f = file(idx(new int[] {3, 4, 5}, pixels), gz);

    IdxReader.Images images = IdxReader.readImages(f);

    assertEquals(3, images.count());
    assertEquals(4, images.rows());
    assertEquals(5, images.cols());
    assertArrayEquals(pixels, images.pixels());
    assertEquals((7 * (20 + 2 * 5 + 3)) & 0xff, images.pixel(1, 2, 3));
    float[] floats = images.toFloats();
    for (int i = 0; i < pixels.length; i++) {
      assertEquals((pixels[i] & 0xff) / 255f, floats[i]);
    }
    ImageBatch batch = images.toImageBatch();
    assertArrayEquals(new long[] {3, 4, 5, 1}, batch.shape());
    assertArrayEquals(floats, batch.data());
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void readsLabelsAsUnsigned(boolean gz) {
    Path f = file(idx(new int[] {4}, new byte[] {0, 9, (byte) 200, (byte) 255}), gz);
    assertArrayEquals(new int[] {0, 9, 200, 255}, IdxReader.readLabels(f));
  }

  @Test
  void plainFileNamedGzIsReadAsPlain() {
    // Compression is detected from content, so a misnamed file still works.
    Path f = write(dir.resolve("labels.gz"), idx(new int[] {2}, new byte[] {1, 2}));
    assertArrayEquals(new int[] {1, 2}, IdxReader.readLabels(f));
  }

  @Test
  void emptyImageCountIsAllowed() {
    Path f = file(idx(new int[] {0, 28, 28}, new byte[0]), false);
    assertEquals(0, IdxReader.readImages(f).count());
  }

  @Test
  void missingFile() {
    Path f = dir.resolve("nope-idx3-ubyte");
    assertFails(f, () -> IdxReader.readImages(f), "file not found");
  }

  @Test
  void emptyFile() {
    Path f = file(new byte[0], false);
    assertFails(f, () -> IdxReader.readLabels(f), "empty file");
  }

  @Test
  void wrongMagicShowsBytes() {
    Path f = file("hello, world".getBytes(), false);
    assertFails(f, () -> IdxReader.readImages(f),
        "not an IDX file", "68 65 6c 6c", "expected 00 00 08 03");
  }

  @Test
  void unsupportedType() {
    byte[] bytes = idx(new int[] {1}, new byte[4]);
    bytes[2] = 0x0d;
    Path f = file(bytes, false);
    assertFails(f, () -> IdxReader.readLabels(f), "unsupported IDX data type 0x0d (float)");
  }

  @Test
  void labelsFileReadAsImages() {
    Path f = file(idx(new int[] {2}, new byte[2]), false);
    assertFails(f, () -> IdxReader.readImages(f),
        "wrong number of dimensions: expected 3", "found 1", "labels file?");
  }

  @Test
  void imagesFileReadAsLabels() {
    Path f = file(idx(new int[] {1, 2, 2}, new byte[4]), false);
    assertFails(f, () -> IdxReader.readLabels(f), "expected 1", "found 3");
  }

  @Test
  void negativeDimension() {
    Path f = file(idx(new int[] {2, -28, 28}, new byte[0]), false);
    assertFails(f, () -> IdxReader.readImages(f), "dimension 1 has negative size -28");
  }

  @Test
  void emptyImageSize() {
    Path f = file(idx(new int[] {2, 0, 28}, new byte[0]), false);
    assertFails(f, () -> IdxReader.readImages(f), "image size 0x28 is empty");
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void oversizedDimensionsAreRejectedBeforeAllocating(boolean gz) {
    // 2^31-1 cubed overflows a long; the limit check must catch it first.
    int max = Integer.MAX_VALUE;
    Path f = file(idx(new int[] {max, max, max}, new byte[8]), gz);
    assertFails(f, () -> IdxReader.readImages(f), "size limit");
  }

  @Test
  void truncatedHeader() {
    byte[] bytes = Arrays.copyOf(idx(new int[] {1, 2, 2}, new byte[0]), 10);
    Path f = file(bytes, false);
    assertFails(f, () -> IdxReader.readImages(f), "truncated header");
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void truncatedData(boolean gz) {
    Path f = file(idx(new int[] {3, 4, 5}, new byte[55]), gz);
    assertFails(f, () -> IdxReader.readImages(f),
        "truncated: expected 60 bytes of pixel data, found 55");
  }

  @Test
  void hugeHeaderInTinyGzipIsTruncatedNotAllocated() {
    // Claims ~1 GiB but holds 10 bytes: must fail on the data, not with OutOfMemoryError.
    Path f = file(idx(new int[] {1 << 20, 32, 32}, new byte[10]), true);
    assertFails(f, () -> IdxReader.readImages(f),
        "truncated: expected 1073741824 bytes of pixel data, found 10");
  }

  @ParameterizedTest(name = "gzip={0}")
  @ValueSource(booleans = {false, true})
  void trailingBytes(boolean gz) {
    Path f = file(idx(new int[] {3}, new byte[5]), gz);
    assertFails(f, () -> IdxReader.readLabels(f),
        "trailing bytes: 2 unexpected bytes after the 3 bytes of label data");
  }

  @Test
  void corruptGzip() {
    byte[] gz = gzip(idx(new int[] {3}, new byte[3]));
    Path f = file(Arrays.copyOf(gz, 12), false); // cut inside the deflate stream
    assertFails(f, () -> IdxReader.readLabels(f), "gzip");
  }
}
