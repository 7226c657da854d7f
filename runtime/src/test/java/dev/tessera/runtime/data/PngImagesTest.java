package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import dev.tessera.api.io.PngImages;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.io.PngImages.PngFolder;
import dev.tessera.api.io.PngImages.ResizeMode;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PngImagesTest {
  @TempDir Path dir;

  /** Random values of the form k/255, which 8-bit PNG stores exactly. */
  private static ImageBatch randomBatch(int count, int h, int w, int c, long seed) {
    Random random = new Random(seed);
    float[] data = new float[count * h * w * c];
    for (int i = 0; i < data.length; i++) {
      data[i] = random.nextInt(256) / 255f;
    }
    return new ImageBatch(count, h, w, c, data);
  }

  private static void assertMessage(Throwable e, String... phrases) {
    for (String phrase : phrases) {
      assertTrue(e.getMessage().contains(phrase),
          "expected '" + phrase + "' in: " + e.getMessage());
    }
  }

  private List<String> listDir() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest(name = "channels={0}")
  @ValueSource(ints = {1, 3, 4})
  void roundTripIsExact(int channels) throws IOException {
    ImageBatch batch = randomBatch(3, 5, 7, channels, channels);
    List<String> names = List.of("b.png", "a.png", "c.png");
    PngImages.writeAll(dir, batch, names);

    PngFolder folder = PngImages.readFolder(dir, 5, 7, channels, ResizeMode.ERROR);

    assertEquals(List.of("a.png", "b.png", "c.png"), folder.fileNames());
    assertEquals(batch.select(new int[] {1, 0, 2}), folder.images());
    // The PNG itself has the matching colour type, and no temp files are left behind.
    assertEquals(channels, ImageIO.read(dir.resolve("a.png").toFile())
        .getColorModel().getNumComponents());
    assertEquals(names.stream().sorted().toList(), listDir());
  }

  @Test
  void writeClampsAndRounds() {
    ImageBatch batch = new ImageBatch(1, 1, 5, 1,
        new float[] {-1f, 2f, Float.NaN, 0.5f, 100.4f / 255f});
    Path file = dir.resolve("clamp.png");
    PngImages.write(file, batch, 0);
    float[] read = PngImages.read(file, 1).data();
    assertArrayEquals(new float[] {0f, 1f, 0f, 128 / 255f, 100 / 255f}, read);
  }

  @Test
  void writeReplacesExistingFileAndCreatesParents() {
    Path file = dir.resolve("sub/dir/x.png");
    PngImages.write(file, randomBatch(1, 2, 2, 3, 1), 0);
    ImageBatch second = randomBatch(1, 2, 2, 3, 2);
    PngImages.write(file, second, 0);
    assertEquals(second, PngImages.read(file, 3));
  }

  @Test
  void fileNamesAreCaseInsensitiveSortedAndFiltered() throws IOException {
    ImageBatch batch = randomBatch(2, 2, 2, 1, 3);
    PngImages.write(dir.resolve("b.PNG"), batch, 1);
    PngImages.write(dir.resolve("a.png"), batch, 0);
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    Files.writeString(dir.resolve(".hidden.png"), "not an image either");

    PngFolder folder = PngImages.readFolder(dir, 1);

    assertEquals(List.of("a.png", "b.PNG"), folder.fileNames());
    assertEquals(batch, folder.images());
  }

  @Test
  void wrongSizeNamesFileAndSuggestsResize() {
    PngImages.write(dir.resolve("a.png"), randomBatch(1, 4, 4, 1, 4), 0);
    PngImages.write(dir.resolve("b.png"), randomBatch(1, 5, 3, 1, 5), 0);

    DataFormatException e = assertThrows(DataFormatException.class,
        () -> PngImages.readFolder(dir, 4, 4, 1, ResizeMode.ERROR));
    assertMessage(e, dir.resolve("b.png").toString(), "5x3", "4x4", "--resize");

    // Inferring the size from the first file applies the same rule.
    e = assertThrows(DataFormatException.class, () -> PngImages.readFolder(dir, 1));
    assertMessage(e, "b.png", "5x3");
  }

  @Test
  void resizeShrinksByAreaAverage() {
    // A 2x2 black/white checkerboard averages to mid gray; a constant image stays constant.
    PngImages.write(dir.resolve("a.png"),
        new ImageBatch(1, 2, 2, 1, new float[] {0f, 1f, 1f, 0f}), 0);
    PngImages.write(dir.resolve("b.png"),
        new ImageBatch(1, 4, 6, 3, filled(4 * 6 * 3, 0.2f)), 0);

    ImageBatch out = PngImages.readFolder(dir, 1, 1, 3, ResizeMode.BILINEAR).images();

    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 51 / 255f, 51 / 255f, 51 / 255f},
        out.data(), 1e-6f);
  }

  @Test
  void resizeGrowsBilinearly() {
    PngImages.write(dir.resolve("a.png"), new ImageBatch(1, 1, 2, 1, new float[] {0f, 1f}), 0);
    ImageBatch out = PngImages.readFolder(dir, 1, 4, 1, ResizeMode.BILINEAR).images();
    // Half-pixel centres: samples at x = -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out.data(), 1e-6f);
  }

  /** A batch in memory resizes and converts as files are read: each image on its own; a batch of the size asked is returned as is. */
  @Test
  void aBatchInMemoryIsResizedImageByImage() {
    ImageBatch two = new ImageBatch(2, 2, 2, 1, new float[] {0f, 1f, 1f, 0f, /* second */ 0.2f, 0.2f, 0.2f, 0.2f});
    ImageBatch out = PngImages.resized(two, 1, 1, 3);
    assertArrayEquals(new long[] {2, 1, 1, 3}, out.shape());
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.2f, 0.2f, 0.2f}, out.data(), 1e-6f);
    assertTrue(PngImages.resized(two, 2, 2, 1) == two);
    ImageBatch grown = PngImages.resized(new ImageBatch(1, 1, 2, 1, new float[] {0f, 1f}), 1, 4, 1);
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, grown.data(), 1e-6f);
  }

  @Test
  void resizeDoesNotBleedTransparentColour() {
    // Opaque red next to fully transparent green: the average must stay pure red, half opaque.
    float[] rgba = {1f, 0f, 0f, 1f, 0f, 1f, 0f, 0f};
    PngImages.write(dir.resolve("a.png"), new ImageBatch(1, 1, 2, 4, rgba), 0);
    ImageBatch out = PngImages.readFolder(dir, 1, 1, 4, ResizeMode.BILINEAR).images();
    assertArrayEquals(new float[] {1f, 0f, 0f, 0.5f}, out.data(), 1e-6f);
  }

  @Test
  void readsPalettePngWithTransparency() throws IOException {
    byte[] r = {(byte) 255, 0, 0, 10};
    byte[] g = {0, (byte) 255, 0, 20};
    byte[] b = {0, 0, (byte) 255, 30};
    byte[] a = {(byte) 255, (byte) 255, (byte) 255, 0};
    IndexColorModel palette = new IndexColorModel(2, 4, r, g, b, a);
    BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
    img.getRaster().setPixels(0, 0, 4, 1, new int[] {0, 1, 2, 3});
    Path file = dir.resolve("palette.png");
    ImageIO.write(img, "png", file.toFile());

    assertArrayEquals(new float[] {1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 10 / 255f, 20 / 255f,
        30 / 255f, 0}, PngImages.read(file, 4).data(), 1e-6f);
    // The transparent entry composites to white.
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1},
        PngImages.read(file, 3).data(), 1e-6f);
  }

  @Test
  void readsSixteenBitGrayAtFullPrecision() throws IOException {
    BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    img.getRaster().setPixels(0, 0, 3, 1, new int[] {0, 12345, 65535});
    Path file = dir.resolve("gray16.png");
    ImageIO.write(img, "png", file.toFile());

    assertArrayEquals(new float[] {0f, 12345 / 65535f, 1f}, PngImages.read(file, 1).data(),
        1e-7f);
  }

  @Test
  void readsGrayWithAlpha() throws IOException {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY),
        true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
    raster.setPixels(0, 0, 2, 1, new int[] {0, 255, 0, 51}); // opaque black, 20% black
    Path file = dir.resolve("gray-alpha.png");
    ImageIO.write(new BufferedImage(cm, raster, false, null), "png", file.toFile());

    assertArrayEquals(new float[] {0f, 0.8f}, PngImages.read(file, 1).data(), 1e-6f);
    assertArrayEquals(new float[] {0, 0, 0, 1, 0, 0, 0, 0.2f}, PngImages.read(file, 4).data(),
        1e-6f);
  }

  @Test
  void notAPngNamesFile() throws IOException {
    Path file = Files.writeString(dir.resolve("fake.png"), "GIF89a...");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> PngImages.readFolder(dir, 1));
    assertMessage(e, file.toString(), "not a PNG");
  }

  @Test
  void corruptPngNamesFile() throws IOException {
    Path good = dir.resolve("tmp.png");
    PngImages.write(good, randomBatch(1, 8, 8, 3, 6), 0);
    byte[] bytes = Files.readAllBytes(good);
    Files.delete(good);
    Path file = Files.write(dir.resolve("cut.png"), Arrays.copyOf(bytes, 40));

    DataFormatException e =
        assertThrows(DataFormatException.class, () -> PngImages.readFolder(dir, 8, 8, 3, null));
    assertMessage(e, file.toString(), "corrupt PNG");
  }

  /** A chunk with its CRC-32 recomputed, as a hostile file would have it. */
  private static void putChunk(ByteBuffer png, int at, String type, byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(type.getBytes(StandardCharsets.ISO_8859_1));
    crc.update(data);
    png.putInt(at, data.length).put(at + 4, type.getBytes(StandardCharsets.ISO_8859_1)).put(at + 8, data)
        .putInt(at + 8 + data.length, (int) crc.getValue());
  }

  /** A palette image whose indices point past a (shortened) palette: ImageIO draws them black; refused, naming the pixel. */
  @Test
  void paletteIndicesPastThePaletteAreRefused() throws IOException {
    byte[] r = {0, 36, 72, 108, (byte) 144, (byte) 180, (byte) 216, (byte) 252};
    java.awt.image.IndexColorModel eight = new java.awt.image.IndexColorModel(8, 8, r, r, r);
    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED, eight);
    img.getRaster().setSamples(0, 0, 2, 2, 0, new int[] {0, 1, 3, 2});
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(img, "png", out);
    byte[] bytes = out.toByteArray();
    Path fine = Files.write(dir.resolve("palette.png"), bytes);
    assertEquals(4, PngImages.read(fine, 1).data().length, "indices within the palette read as before");

    // The same pixels with a 3-entry palette: index 3 points past it.
    int plte = 8;
    while (!new String(bytes, plte + 4, 4, StandardCharsets.ISO_8859_1).equals("PLTE")) {
      plte += 12 + ByteBuffer.wrap(bytes).getInt(plte);
    }
    int oldLength = ByteBuffer.wrap(bytes).getInt(plte);
    byte[] shortPalette = Arrays.copyOfRange(bytes, plte + 8, plte + 8 + 9);
    ByteBuffer damaged = ByteBuffer.allocate(bytes.length - oldLength + 9);
    damaged.put(bytes, 0, plte);
    putChunk(damaged, plte, "PLTE", shortPalette);
    damaged.position(plte + 12 + 9);
    damaged.put(bytes, plte + 12 + oldLength, bytes.length - plte - 12 - oldLength);
    Path file = Files.write(dir.resolve("past.png"), damaged.array());
    assertMessage(assertThrows(DataFormatException.class, () -> PngImages.read(file, 1)), file.toString(),
        "pixel (1, 0) uses palette index 3, but the palette has only 3 entries");
  }

  /**
   * Damage ImageIO alone reads silently or pays for dearly (found by PngFuzzTest): a flipped bit
   * in the pixel data (no CRC check), a header asking for 16384 x 16384 pixels over 100 bytes of
   * data (ImageIO allocates the image first), compressed data with a valid CRC but a wrong Adler-32.
   */
  @Test
  void damageImageIoMissesIsRefusedBeforeDecoding() throws IOException {
    Path good = dir.resolve("good.png");
    PngImages.write(good, randomBatch(1, 8, 8, 3, 6), 0);
    byte[] bytes = Files.readAllBytes(good);
    int idat = 8 + 25; // signature, then IHDR (12 + 13 bytes)
    int idatLength = ByteBuffer.wrap(bytes).getInt(idat);

    byte[] flipped = bytes.clone();
    flipped[idat + 8 + idatLength / 2] ^= 0x10;
    Path file = Files.write(dir.resolve("flipped.png"), flipped);
    assertMessage(assertThrows(DataFormatException.class, () -> PngImages.read(file, 3)), file.toString(), "wrong CRC-32");

    ByteBuffer huge = ByteBuffer.wrap(bytes.clone());
    byte[] ihdr = Arrays.copyOfRange(bytes, 16, 29);
    ByteBuffer.wrap(ihdr).putInt(0, 16384).putInt(4, 16384);
    putChunk(huge, 8, "IHDR", ihdr);
    Path bomb = Files.write(dir.resolve("bomb.png"), huge.array());
    assertMessage(assertThrows(DataFormatException.class, () -> PngImages.read(bomb, 3)), bomb.toString(), "decodes to 768 MiB, more than the limit of 32 MiB");

    // Within the old pixel limit (2^28 pixels), but 16-bit RGBA: refused by what decoding it would take, before any inflating.
    ByteBuffer deep = ByteBuffer.wrap(bytes.clone());
    ByteBuffer.wrap(ihdr).putInt(0, 4096).putInt(4, 4096);
    ihdr[8] = 16;
    ihdr[9] = 6;
    putChunk(deep, 8, "IHDR", ihdr);
    Path deepBomb = Files.write(dir.resolve("deep.png"), deep.array());
    assertMessage(assertThrows(DataFormatException.class, () -> PngImages.read(deepBomb, 3)), deepBomb.toString(),
        "image of 4096x4096 pixels (4 x 16-bit samples) decodes to 128 MiB, more than the limit of 32 MiB");

    ByteBuffer adler = ByteBuffer.wrap(bytes.clone());
    byte[] data = Arrays.copyOfRange(bytes, idat + 8, idat + 8 + idatLength);
    data[data.length - 1] ^= 1; // the last byte of the Adler-32
    putChunk(adler, idat, "IDAT", data);
    Path checksum = Files.write(dir.resolve("adler.png"), adler.array());
    assertMessage(assertThrows(DataFormatException.class, () -> PngImages.read(checksum, 3)), checksum.toString(), "corrupt image data");
  }

  @Test
  void emptyOrMissingFolder() throws IOException {
    Files.writeString(dir.resolve("readme.txt"), "no images here");
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> PngImages.readFolder(dir, 3));
    assertMessage(e, dir.toString(), "no .png files");

    Path missing = dir.resolve("missing");
    e = assertThrows(DataFormatException.class, () -> PngImages.readFolder(missing, 3));
    assertMessage(e, missing.toString(), "not found");
  }

  @Test
  void writeAllRejectsPathsAndMismatchedNames() {
    ImageBatch batch = randomBatch(2, 2, 2, 1, 7);
    assertThrows(IllegalArgumentException.class,
        () -> PngImages.writeAll(dir, batch, List.of("a.png")));
    assertThrows(IllegalArgumentException.class,
        () -> PngImages.writeAll(dir, batch, List.of("a.png", "../b.png")));
    assertThrows(IllegalArgumentException.class,
        () -> PngImages.writeAll(dir, batch, List.of("a.png", "a.png")));
  }

  @Test
  void writeAllDefaultNames() {
    ImageBatch batch = randomBatch(2, 2, 2, 3, 8);
    PngImages.writeAll(dir, batch, null);
    assertEquals(List.of("00000.png", "00001.png"), PngImages.readFolder(dir, 3).fileNames());
  }

  @Test
  void gridLayout() {
    int h = 3;
    int w = 4;
    ImageBatch batch = randomBatch(5, h, w, 3, 9);
    Path file = dir.resolve("grid.png");

    PngImages.writeGrid(file, batch, 3);

    // 3 columns x 2 rows of 4x3 images with 2-pixel borders.
    ImageBatch grid = PngImages.read(file, 3);
    assertEquals(2 * h + 3 * 2, grid.height());
    assertEquals(3 * w + 4 * 2, grid.width());
    float border = Math.round(PngImages.GRID_BORDER_VALUE * 255) / 255f;
    assertEquals(border, grid.get(0, 0, 0, 0));
    assertEquals(border, grid.get(0, grid.height() - 1, grid.width() - 1, 2)); // empty cell
    // Image 4 sits in row 1, column 1.
    int top = 2 + (h + 2);
    int left = 2 + (w + 2);
    assertEquals(batch.get(4, 2, 3, 1), grid.get(0, top + 2, left + 3, 1));
    assertEquals(batch.get(0, 0, 0, 0), grid.get(0, 2, 2, 0));

    // Fewer images than columns: the grid shrinks to fit.
    PngImages.writeGrid(file, batch.slice(0, 2), 8);
    assertEquals(2 * w + 3 * 2, PngImages.read(file, 3).width());
  }

  private static float[] filled(int n, float v) {
    float[] a = new float[n];
    Arrays.fill(a, v);
    return a;
  }
}
