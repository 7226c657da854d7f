package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import dev.tessera.api.io.PngImages;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.testing.FuzzTarget;
import dev.tessera.api.testing.HostileFileTest;
import dev.tessera.api.testing.Mutation;
import dev.tessera.api.types.ImageBatch;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Damaged PNG files ({@link PngDamage}) of three colour types, read at their own size or resized.
 * Where the damage is covered by a checksum (chunk CRC-32, zlib Adler-32) or keeps the image, an
 * accepted file must give the intact image; where the header was rewritten, the image the header
 * describes.
 */
class PngFuzzTest extends HostileFileTest {
  /** One valid PNG and the image it holds. */
  private record Valid(byte[] bytes, ImageBatch image, ImageBatch resized) {}

  /** A damaged PNG of one of the valid images, read at its own size or resized to 8 x 8. */
  record PngCase(int valid, boolean resized, PngDamage.Damage damage) {}

  @Override
  protected int cases() {
    return 150;
  }

  @Override
  protected FuzzTarget<?> target(Path dir) throws Exception {
    Path file = dir.resolve("fuzz.png");
    List<Valid> valid = List.of(valid(dir, 5, 7, 1), valid(dir, 8, 8, 3), valid(dir, 4, 6, 4));
    return new FuzzTarget<PngCase>() {
      @Override
      public String format() {
        return "PNG";
      }

      @Override
      public PngCase intact() {
        return new PngCase(1, false, new PngDamage.Damage(new Mutation("intact", valid.get(1).bytes()), true));
      }

      @Override
      public PngCase damage(SplittableRandom random) {
        int v = random.nextInt(valid.size());
        return new PngCase(v, random.nextInt(5) == 0, PngDamage.any(valid.get(v).bytes(), random));
      }

      @Override
      public String describe(PngCase c) {
        ImageBatch image = valid.get(c.valid()).image();
        return image.height() + "x" + image.width() + "x" + image.channels() + (c.resized() ? " resized" : "") + ": "
            + c.damage().mutation();
      }

      @Override
      public void read(PngCase c) throws Exception {
        Valid v = valid.get(c.valid());
        byte[] bytes = c.damage().mutation().bytes();
        Files.write(file, bytes);
        int channels = v.image().channels();
        ImageBatch read = c.resized() ? PngImages.readResized(file, 8, 8, channels) : PngImages.read(file, channels);
        if (c.damage().imageIntact()) {
          assertEquals(c.resized() ? v.resized() : v.image(), read, "the intact image");
          return;
        }
        int width = ByteBuffer.wrap(bytes).getInt(16);
        int height = ByteBuffer.wrap(bytes).getInt(20);
        if (!c.resized()) {
          assertEquals(height + "x" + width, read.height() + "x" + read.width(), "the size in IHDR");
        }
        for (float x : read.data()) {
          if (!(x >= 0 && x <= 1)) {
            throw new AssertionError("a pixel value outside [0, 1]: " + x);
          }
        }
      }

      @Override
      public String nameInMessages() {
        return file.toString();
      }

      @Override
      public Class<DataFormatException> refusal() {
        return DataFormatException.class;
      }
    };
  }

  private static Valid valid(Path dir, int height, int width, int channels) throws Exception {
    float[] px = new float[height * width * channels];
    for (int i = 0; i < px.length; i++) {
      px[i] = (i * 37 % 256) / 255f;
    }
    Path file = dir.resolve("valid-" + channels + ".png");
    PngImages.write(file, new ImageBatch(1, height, width, channels, px), 0);
    return new Valid(Files.readAllBytes(file), PngImages.read(file, channels), PngImages.readResized(file, 8, 8, channels));
  }
}
