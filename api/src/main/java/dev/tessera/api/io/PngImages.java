package dev.tessera.api.io;

import dev.tessera.api.TesseraException;
import dev.tessera.api.types.ImageBatch;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reads folders of PNG files into an {@link ImageBatch} and writes batches back as PNGs.
 *
 * <p>Reading handles every PNG colour type (gray, gray+alpha, RGB, RGBA, palette, 1 to 16 bits)
 * and converts to the requested channel count: 1 = luma (alpha composited over white first),
 * 3 = RGB composited over white, 4 = RGBA. Gray and RGB samples are read from the raster rather
 * than through {@code getRGB}, which would apply a gamma conversion to gray images and drop
 * 16-bit precision.
 *
 * <p>Writing produces 8-bit PNGs; values are clamped to [0, 1] and rounded, so values of the form
 * k/255 survive a write/read round trip exactly.
 */
public final class PngImages {
  /** What to do with an image whose size differs from the requested one. */
  public enum ResizeMode {
    /** Reject it with a {@link DataFormatException} (the default: resizing changes the data). */
    ERROR,
    /** Scale it: area averaging when shrinking an axis, bilinear interpolation when growing. */
    BILINEAR
  }

  /** Images read from a folder, with the file name of each image in batch order. */
  public record PngFolder(List<String> fileNames, ImageBatch images) {
    public PngFolder {
      fileNames = List.copyOf(fileNames);
      if (fileNames.size() != images.count()) {
        throw new IllegalArgumentException(
            fileNames.size() + " file names for " + images.count() + " images");
      }
    }
  }

  /** Width in pixels of the border around and between cells of {@link #writeGrid}. */
  public static final int GRID_BORDER = 2;

  /** Gray level of the grid border: light, but distinct from white backgrounds. */
  public static final float GRID_BORDER_VALUE = 0.85f;

  /** Largest single image written or made, in pixels (grids). */
  private static final long MAX_PIXELS = 1L << 28;

  /**
   * Largest image read, in decoded bytes (width x height x samples x bytes per sample), checked
   * from IHDR before decoding: 32 MiB, e.g. 2896 x 2896 RGBA at 8 bits. Tessera's models take at
   * most 64 x 64 images; the float copy a read makes is at most 4 times this.
   */
  static final long MAX_DECODED_BYTES = 1L << 25;

  private static final byte[] PNG_SIGNATURE = {
    (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'
  };

  private PngImages() {}

  // ---------------------------------------------------------------- reading

  /**
   * Reads every {@code *.png} file (case-insensitive, hidden files skipped) in {@code dir},
   * sorted by file name, as {@code height x width x channels} images.
   *
   * @param mode what to do with images of another size; {@code null} means {@link
   *     ResizeMode#ERROR}
   * @throws DataFormatException if the folder is missing or has no PNGs, a file is not a valid
   *     PNG, or (in ERROR mode) an image has the wrong size
   */
  public static PngFolder readFolder(
      Path dir, int height, int width, int channels, ResizeMode mode) {
    checkSize(height, width);
    checkChannels(channels);
    return readFiles(dir, listPngs(dir), height, width, channels,
        mode == null ? ResizeMode.ERROR : mode);
  }

  /**
   * Reads every PNG in {@code dir} at the size of the first one (by name); all others must have
   * the same size.
   */
  public static PngFolder readFolder(Path dir, int channels) {
    checkChannels(channels);
    List<Path> files = listPngs(dir);
    int[] size = withReader(files.get(0), (reader, palette) -> new int[] {
        reader.getHeight(0), reader.getWidth(0)});
    return readFiles(dir, files, size[0], size[1], channels, ResizeMode.ERROR);
  }

  /** Reads one PNG at its own size as a batch of one image with {@code channels} channels. */
  public static ImageBatch read(Path file, int channels) {
    checkChannels(channels);
    Decoded d = decode(file, 0, 0, ResizeMode.ERROR);
    return new ImageBatch(1, d.height, d.width, channels,
        convertChannels(d.data, d.channels, channels));
  }

  /**
   * Reads one PNG as a batch of one {@code height x width x channels} image, scaling it when its
   * size differs (area averaging when shrinking, bilinear when growing).
   *
   * @throws DataFormatException if the file is missing or not a valid PNG
   */
  public static ImageBatch readResized(Path file, int height, int width, int channels) {
    checkSize(height, width);
    checkChannels(channels);
    Decoded d = decode(file, height, width, ResizeMode.BILINEAR);
    float[] pixels = convertChannels(d.data, d.channels, channels);
    if (d.height != height || d.width != width) {
      pixels = resize(pixels, d.height, d.width, channels, height, width);
    }
    return new ImageBatch(1, height, width, channels, pixels);
  }

  /** The {@code *.png} files (case-insensitive, not hidden) in {@code dir}, sorted by name. */
  public static List<Path> listPngs(Path dir) {
    if (!Files.exists(dir)) {
      throw new DataFormatException(dir, "image folder not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new DataFormatException(dir, "not a directory; expected a folder of .png files");
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(dir)) {
      files = entries
          .filter(p -> {
            String name = p.getFileName().toString();
            // Hidden files include editors' temp files and macOS "._x.png" resource forks.
            return !name.startsWith(".")
                && name.toLowerCase(Locale.ROOT).endsWith(".png")
                && Files.isRegularFile(p);
          })
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new DataFormatException(dir, "cannot list folder: " + e.getMessage(), e);
    }
    if (files.isEmpty()) {
      throw new DataFormatException(dir, "no .png files found in the folder");
    }
    return files;
  }

  private static PngFolder readFiles(
      Path dir, List<Path> files, int height, int width, int channels, ResizeMode mode) {
    int imageSize = height * width * channels; // checkSize bounds height*width
    long total = (long) files.size() * imageSize;
    if (total > Integer.MAX_VALUE - 8) {
      throw new DataFormatException(
          dir, files.size() + " images of " + height + "x" + width + "x" + channels
              + " do not fit in one batch; use fewer files or a smaller size");
    }
    float[] data = new float[(int) total];
    List<String> names = new ArrayList<>(files.size());
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      Decoded d = decode(file, height, width, mode);
      float[] pixels = convertChannels(d.data, d.channels, channels);
      if (d.height != height || d.width != width) {
        pixels = resize(pixels, d.height, d.width, channels, height, width);
      }
      System.arraycopy(pixels, 0, data, i * imageSize, imageSize);
      names.add(file.getFileName().toString());
    }
    return new PngFolder(names, new ImageBatch(files.size(), height, width, channels, data));
  }

  /** One decoded image in its native channel layout (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
  private record Decoded(int height, int width, int channels, float[] data) {}

  /**
   * Decodes {@code file}; when {@code expectedHeight > 0} and mode is ERROR, a size mismatch is
   * reported from the header, before the pixels are decoded.
   */
  private static Decoded decode(
      Path file, int expectedHeight, int expectedWidth, ResizeMode mode) {
    return withReader(file, (reader, palette) -> {
      int w = reader.getWidth(0); // at most MAX_DECODED_BYTES decoded: PngChunkCheck checked IHDR
      int h = reader.getHeight(0);
      if (expectedHeight > 0 && mode == ResizeMode.ERROR
          && (h != expectedHeight || w != expectedWidth)) {
        throw new DataFormatException(
            file, "image is " + h + "x" + w + " (height x width) but " + expectedHeight + "x"
                + expectedWidth + " was expected; pass --resize to scale images to that size");
      }
      BufferedImage image = reader.read(0);
      checkPaletteIndices(file, image, palette);
      return toFloats(image);
    });
  }

  private interface ReaderAction<T> {
    /** @param paletteEntries PLTE's entries (0: no palette), which a palette image's indices must stay below */
    T apply(ImageReader reader, int paletteEntries) throws IOException;
  }

  /** Opens {@code file} with the PNG reader, turning every failure into a DataFormatException. */
  private static <T> T withReader(Path file, ReaderAction<T> action) {
    ImageReader reader = ImageIO.getImageReadersByFormatName("png").next();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        ImageInputStream in = new MemoryCacheImageInputStream(raw)) {
      byte[] signature = new byte[PNG_SIGNATURE.length];
      raw.mark(signature.length);
      int n = raw.readNBytes(signature, 0, signature.length);
      raw.reset();
      if (n < signature.length || !Arrays.equals(signature, PNG_SIGNATURE)) {
        throw new DataFormatException(file, "not a PNG file (missing PNG signature)");
      }
      // Before ImageIO, which checks no CRC and allocates the image from IHDR before any data.
      int paletteEntries = PngChunkCheck.check(file, MAX_DECODED_BYTES);
      reader.setInput(in, true, true);
      return action.apply(reader, paletteEntries);
    } catch (DataFormatException e) {
      throw e;
    } catch (NoSuchFileException e) {
      throw new DataFormatException(file, "file not found", e);
    } catch (IOException | RuntimeException e) {
      // ImageIO reports corrupt chunks as IIOException but also as assorted runtime exceptions.
      throw new DataFormatException(file, "corrupt PNG: " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
  }

  /** Extracts samples in [0, 1] at native precision. */
  /**
   * A palette image whose indices point past its palette is damaged (ImageIO pads the palette and
   * draws those pixels black without a word); refuse it, naming the first such pixel.
   */
  private static void checkPaletteIndices(Path file, BufferedImage img, int paletteEntries) {
    if (paletteEntries == 0 || !(img.getColorModel() instanceof java.awt.image.IndexColorModel)) {
      return;
    }
    Raster raster = img.getRaster();
    int[] row = new int[img.getWidth()];
    for (int y = 0; y < img.getHeight(); y++) {
      raster.getSamples(0, y, img.getWidth(), 1, 0, row);
      for (int x = 0; x < row.length; x++) {
        if (row[x] >= paletteEntries) {
          throw new DataFormatException(file, "pixel (" + y + ", " + x + ") uses palette index " + row[x] + ", but the palette has only "
              + paletteEntries + " entries (the file is damaged)");
        }
      }
    }
  }

  private static Decoded toFloats(BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    ColorModel cm = img.getColorModel();
    Raster raster = img.getRaster();
    int bands = raster.getNumBands();
    if (cm instanceof ComponentColorModel && !cm.isAlphaPremultiplied()
        && bands == cm.getNumComponents() && isGrayOrRgb(cm.getColorSpace().getType(), bands)) {
      // Divide (not multiply by a reciprocal) so k/255 comes back bit-identical to what was written.
      float[] max = new float[bands];
      for (int b = 0; b < bands; b++) {
        max[b] = (1 << cm.getComponentSize(b)) - 1;
      }
      float[] out = new float[w * h * bands];
      int[] row = new int[w * bands];
      for (int y = 0; y < h; y++) {
        raster.getPixels(0, y, w, 1, row);
        int base = y * w * bands;
        for (int i = 0; i < row.length; i++) {
          out[base + i] = row[i] / max[i % bands];
        }
      }
      return new Decoded(h, w, bands, out);
    }
    // Palette, packed low-bit-depth gray and anything else: 8-bit sRGB via the colour model.
    int channels = cm.hasAlpha() ? 4 : 3;
    float[] out = new float[w * h * channels];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      img.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = row[x];
        int o = (y * w + x) * channels;
        out[o] = ((argb >>> 16) & 0xff) / 255f;
        out[o + 1] = ((argb >>> 8) & 0xff) / 255f;
        out[o + 2] = (argb & 0xff) / 255f;
        if (channels == 4) {
          out[o + 3] = (argb >>> 24) / 255f;
        }
      }
    }
    return new Decoded(h, w, channels, out);
  }

  private static boolean isGrayOrRgb(int colorSpaceType, int bands) {
    return colorSpaceType == ColorSpace.TYPE_GRAY && (bands == 1 || bands == 2)
        || colorSpaceType == ColorSpace.TYPE_RGB && (bands == 3 || bands == 4);
  }

  /**
   * Converts pixels from {@code from} channels (1, 2 = gray+alpha, 3, 4) to {@code to} (1, 3, 4).
   * Alpha is composited over white when the target has none.
   */
  static float[] convertChannels(float[] src, int from, int to) {
    if (from == to) {
      return src;
    }
    int pixels = src.length / from;
    float[] out = new float[pixels * to];
    for (int p = 0; p < pixels; p++) {
      int i = p * from;
      float r;
      float g;
      float b;
      float a = 1f;
      if (from <= 2) {
        r = g = b = src[i];
        if (from == 2) {
          a = src[i + 1];
        }
      } else {
        r = src[i];
        g = src[i + 1];
        b = src[i + 2];
        if (from == 4) {
          a = src[i + 3];
        }
      }
      int o = p * to;
      if (to == 4) {
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
        out[o + 3] = a;
        continue;
      }
      if (a < 1f) {
        r = r * a + (1f - a);
        g = g * a + (1f - a);
        b = b * a + (1f - a);
      }
      if (to == 3) {
        out[o] = r;
        out[o + 1] = g;
        out[o + 2] = b;
      } else {
        // Exact for gray pixels (the float luma sum may be off by an ulp).
        out[o] = r == g && g == b ? r : 0.299f * r + 0.587f * g + 0.114f * b;
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- resizing

  /**
   * Every image of {@code batch} at {@code height} x {@code width} with {@code channels}, converted
   * and resized as a PNG file is read ({@link #readResized}); the batch itself when it already is.
   */
  public static ImageBatch resized(ImageBatch batch, int height, int width, int channels) {
    if (batch.height() == height && batch.width() == width && batch.channels() == channels) {
      return batch;
    }
    checkSize(height, width);
    checkChannels(channels);
    int from = batch.height() * batch.width() * batch.channels();
    int to = height * width * channels;
    float[] out = new float[batch.count() * to];
    for (int i = 0; i < batch.count(); i++) {
      float[] image = convertChannels(java.util.Arrays.copyOfRange(batch.data(), i * from, (i + 1) * from), batch.channels(), channels);
      if (batch.height() != height || batch.width() != width) {
        image = resize(image, batch.height(), batch.width(), channels, height, width);
      }
      System.arraycopy(image, 0, out, i * to, to);
    }
    return new ImageBatch(batch.count(), height, width, channels, out);
  }

  /**
   * Resizes an HWC image separably: area averaging on axes that shrink (no aliasing), bilinear
   * with half-pixel centres on axes that grow. RGBA is premultiplied during filtering so that
   * transparent pixels don't bleed their colour into neighbours.
   */
  static float[] resize(float[] src, int sh, int sw, int c, int dh, int dw) {
    float[] in = src;
    if (c == 4) {
      in = src.clone();
      for (int i = 0; i < in.length; i += 4) {
        in[i] *= in[i + 3];
        in[i + 1] *= in[i + 3];
        in[i + 2] *= in[i + 3];
      }
    }
    Weights wx = Weights.of(sw, dw);
    Weights wy = Weights.of(sh, dh);
    // Horizontal pass: sh x dw.
    float[] tmp = new float[sh * dw * c];
    for (int y = 0; y < sh; y++) {
      for (int x = 0; x < dw; x++) {
        int o = (y * dw + x) * c;
        float[] w = wx.weights[x];
        for (int k = 0; k < w.length; k++) {
          int s = (y * sw + wx.start[x] + k) * c;
          for (int ch = 0; ch < c; ch++) {
            tmp[o + ch] += w[k] * in[s + ch];
          }
        }
      }
    }
    // Vertical pass: dh x dw.
    float[] out = new float[dh * dw * c];
    int rowLen = dw * c;
    for (int y = 0; y < dh; y++) {
      float[] w = wy.weights[y];
      int o = y * rowLen;
      for (int k = 0; k < w.length; k++) {
        int s = (wy.start[y] + k) * rowLen;
        for (int i = 0; i < rowLen; i++) {
          out[o + i] += w[k] * tmp[s + i];
        }
      }
    }
    if (c == 4) {
      for (int i = 0; i < out.length; i += 4) {
        float a = out[i + 3];
        if (a > 0f) {
          out[i] = Math.min(1f, out[i] / a);
          out[i + 1] = Math.min(1f, out[i + 1] / a);
          out[i + 2] = Math.min(1f, out[i + 2] / a);
        }
      }
    }
    return out;
  }

  /** For each output index: the first source index and the weights of consecutive sources. */
  private record Weights(int[] start, float[][] weights) {
    static Weights of(int src, int dst) {
      int[] start = new int[dst];
      float[][] weights = new float[dst][];
      double scale = (double) src / dst;
      for (int i = 0; i < dst; i++) {
        if (dst == src) {
          start[i] = i;
          weights[i] = new float[] {1f};
        } else if (dst < src) {
          // Area averaging: output pixel i covers source interval [lo, hi).
          double lo = i * scale;
          double hi = Math.min(src, (i + 1) * scale);
          int first = (int) Math.floor(lo);
          int last = Math.min(src - 1, (int) Math.ceil(hi) - 1);
          float[] w = new float[last - first + 1];
          for (int j = first; j <= last; j++) {
            double overlap = Math.min(hi, j + 1) - Math.max(lo, j);
            w[j - first] = (float) (overlap / scale);
          }
          start[i] = first;
          weights[i] = w;
        } else {
          double x = Math.max(0, Math.min(src - 1, (i + 0.5) * scale - 0.5));
          int j0 = (int) Math.floor(x);
          float f = (float) (x - j0);
          start[i] = j0;
          weights[i] = j0 + 1 < src ? new float[] {1f - f, f} : new float[] {1f};
        }
      }
      return new Weights(start, weights);
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes image {@code index} of {@code batch} as an 8-bit PNG (gray, RGB or RGBA by channel
   * count). The file is written to a temporary sibling and renamed into place, so readers never
   * see a half-written image. Parent directories are created.
   */
  public static void write(Path file, ImageBatch batch, int index) {
    if (index < 0 || index >= batch.count()) {
      throw new IndexOutOfBoundsException(
          "image index " + index + " out of range for a batch of " + batch.count());
    }
    writeAtomically(file, toImage(batch, index));
  }

  /**
   * Writes every image of {@code batch} into {@code dir} under the matching name of {@code
   * fileNames} (plain file names, no directories). With {@code fileNames == null} the images are
   * named {@code 00000.png}, {@code 00001.png}, ...
   */
  public static void writeAll(Path dir, ImageBatch batch, List<String> fileNames) {
    List<String> names = fileNames != null ? fileNames : defaultNames(batch.count());
    if (names.size() != batch.count()) {
      throw new IllegalArgumentException(
          names.size() + " file names for a batch of " + batch.count() + " images");
    }
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      // Reject paths so that names taken from user input can't escape dir.
      if (name == null || name.isBlank() || name.equals(".") || name.equals("..")
          || name.contains("/") || name.contains("\\")) {
        throw new IllegalArgumentException("not a plain file name: '" + name + "'");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException("duplicate file name: " + name);
      }
    }
    for (int i = 0; i < names.size(); i++) {
      write(dir.resolve(names.get(i)), batch, i);
    }
  }

  /**
   * Tiles all images of {@code batch} into one PNG, {@code columns} per row (fewer if the batch is
   * smaller), separated and surrounded by a {@value #GRID_BORDER}-pixel light-gray border. The
   * result is {@code cols*w + (cols+1)*2} wide and {@code rows*h + (rows+1)*2} high.
   */
  public static void writeGrid(Path file, ImageBatch batch, int columns) {
    if (columns <= 0) {
      throw new IllegalArgumentException("columns must be positive, got " + columns);
    }
    if (batch.count() == 0) {
      throw new IllegalArgumentException("cannot write a grid of an empty batch");
    }
    int cols = Math.min(columns, batch.count());
    int rows = (batch.count() + cols - 1) / cols;
    int h = batch.height();
    int w = batch.width();
    int c = batch.channels();
    long gridW = (long) cols * w + (long) (cols + 1) * GRID_BORDER;
    long gridH = (long) rows * h + (long) (rows + 1) * GRID_BORDER;
    if (gridW * gridH > MAX_PIXELS) {
      throw new IllegalArgumentException(
          "grid of " + gridH + "x" + gridW + " pixels is too large; write fewer images");
    }
    int gw = (int) gridW;
    int gh = (int) gridH;
    float[] grid = new float[gh * gw * c];
    for (int p = 0; p < gh * gw; p++) {
      for (int ch = 0; ch < c; ch++) {
        grid[p * c + ch] = ch == 3 ? 1f : GRID_BORDER_VALUE;
      }
    }
    float[] src = batch.data();
    int rowLen = w * c;
    for (int n = 0; n < batch.count(); n++) {
      int top = GRID_BORDER + (n / cols) * (h + GRID_BORDER);
      int left = GRID_BORDER + (n % cols) * (w + GRID_BORDER);
      for (int y = 0; y < h; y++) {
        System.arraycopy(src, (n * h + y) * rowLen, grid, ((top + y) * gw + left) * c, rowLen);
      }
    }
    write(file, new ImageBatch(1, gh, gw, c, grid), 0);
  }

  private static List<String> defaultNames(int count) {
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(String.format("%05d.png", i));
    }
    return names;
  }

  /** Image {@code index} of {@code batch} as the 8-bit image a PNG of it holds. */
  public static BufferedImage toImage(ImageBatch batch, int index) {
    int h = batch.height();
    int w = batch.width();
    int c = batch.channels();
    int type = switch (c) {
      case 1 -> BufferedImage.TYPE_BYTE_GRAY;
      case 3 -> BufferedImage.TYPE_3BYTE_BGR;
      default -> BufferedImage.TYPE_4BYTE_ABGR;
    };
    BufferedImage img = new BufferedImage(w, h, type);
    // Raster bands are in colour-model order (R, G, B, A) whatever the byte layout.
    WritableRaster raster = img.getRaster();
    float[] data = batch.data();
    int rowLen = w * c;
    int[] row = new int[rowLen];
    for (int y = 0; y < h; y++) {
      int base = (index * h + y) * rowLen;
      for (int i = 0; i < rowLen; i++) {
        row[i] = quantize(data[base + i]);
      }
      raster.setPixels(0, y, w, 1, row);
    }
    return img;
  }

  /** [0, 1] to 0..255 with clamping and rounding; NaN becomes 0. */
  private static int quantize(float v) {
    if (!(v > 0f)) {
      return 0;
    }
    return v >= 1f ? 255 : Math.round(v * 255f);
  }

  private static void writeAtomically(Path file, BufferedImage img) {
    Path target = file.toAbsolutePath();
    Path tmp = null;
    try {
      Files.createDirectories(target.getParent());
      // Not Files.createTempFile: it makes the file owner-only (0600), and rename keeps that.
      tmp = target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
        writePng(img, out);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException e) {
      throw new TesseraException("cannot write " + file + ": " + dev.tessera.api.io.IoFailures.describe(e), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // Best effort: the original error is more useful than this one.
        }
      }
    }
  }

  private static void writePng(BufferedImage img, OutputStream out) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    // A memory-cached stream avoids ImageIO's global temp-file cache setting.
    try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      writer.write(img);
    } finally {
      writer.dispose();
    }
  }

  private static void checkSize(int height, int width) {
    if (height <= 0 || width <= 0 || (long) height * width > MAX_PIXELS) {
      throw new IllegalArgumentException("bad image size " + height + "x" + width);
    }
  }

  private static void checkChannels(int channels) {
    if (channels != 1 && channels != 3 && channels != 4) {
      throw new IllegalArgumentException("channels must be 1, 3 or 4, got " + channels);
    }
  }
}
