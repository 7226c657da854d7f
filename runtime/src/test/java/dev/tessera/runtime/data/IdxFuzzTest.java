package dev.tessera.runtime.data;

import dev.tessera.api.io.DataFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.testing.ByteMutations;
import dev.tessera.api.testing.FuzzTarget;
import dev.tessera.api.testing.HostileFileTest;
import dev.tessera.api.testing.Mutation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Damaged IDX files (images and labels, plain and gzip): truncated, flipped, with dimension
 * counts of 2^31-1, negative or off by one, wrong magic, type and rank, and gzip streams damaged
 * after compression or compressing a damaged file. An accepted file must hold exactly what its
 * header says (and, for damage after compression, what the intact file held: gzip's CRC-32 covers
 * the data).
 */
class IdxFuzzTest extends HostileFileTest {
  private static final int[] IMAGE_DIMS = {5, 4, 4};
  private static final int[] LABEL_DIMS = {6};

  /**
   * One damaged file.
   *
   * @param rank 3 for images, 1 for labels
   * @param plainBeforeGzip the IDX bytes the gzip stream was made from, or null when the file is
   *     plain or its gzip bytes were damaged (then only the intact content may be accepted)
   */
  record IdxCase(int rank, boolean gzipped, Mutation damage, byte[] plainBeforeGzip) {}

  @Override
  protected int cases() {
    return 200;
  }

  @Override
  protected FuzzTarget<?> target(Path dir) {
    Path file = dir.resolve("train-images-idx3-ubyte");
    byte[] images = IdxTestFiles.idx(IMAGE_DIMS, IdxTestFiles.pixels(5, 4, 4));
    byte[] labels = IdxTestFiles.idx(LABEL_DIMS, new byte[] {9, 0, 3, 1, 7, 2});
    return new FuzzTarget<IdxCase>() {
      @Override
      public String format() {
        return "IDX";
      }

      @Override
      public IdxCase intact() {
        return new IdxCase(3, false, new Mutation("intact", images), null);
      }

      @Override
      public IdxCase damage(SplittableRandom random) {
        int rank = random.nextInt(3) == 0 ? 1 : 3;
        byte[] valid = rank == 3 ? images : labels;
        return switch (random.nextInt(4)) {
          case 0 -> new IdxCase(rank, true, ByteMutations.any(IdxTestFiles.gzip(valid), random), null);
          case 1 -> {
            Mutation m = damageIdx(valid, rank, random);
            yield new IdxCase(rank, true, new Mutation(m.description() + ", then gzipped", IdxTestFiles.gzip(m.bytes())), m.bytes());
          }
          default -> new IdxCase(rank, false, damageIdx(valid, rank, random), null);
        };
      }

      @Override
      public String describe(IdxCase c) {
        return (c.rank() == 3 ? "images" : "labels") + (c.gzipped() ? " (gzip)" : "") + ": " + c.damage();
      }

      @Override
      public void read(IdxCase c) throws Exception {
        Files.write(file, c.damage().bytes());
        byte[] plain = c.gzipped() ? c.plainBeforeGzip() : c.damage().bytes();
        byte[] expected = plain != null ? plain : c.rank() == 3 ? images : labels;
        if (c.rank() == 3) {
          IdxReader.Images read = IdxReader.readImages(file);
          int[] dims = {read.count(), read.rows(), read.cols()};
          assertAsTheHeaderSays(expected, 3, dims, read.pixels());
        } else {
          int[] read = IdxReader.readLabels(file);
          byte[] values = new byte[read.length];
          for (int i = 0; i < read.length; i++) {
            values[i] = (byte) read[i];
          }
          assertAsTheHeaderSays(expected, 1, new int[] {read.length}, values);
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

  /** Byte damage, or damage aimed at the header: magic, type, rank and dimension sizes. */
  private static Mutation damageIdx(byte[] valid, int rank, SplittableRandom random) {
    int pick = random.nextInt(100);
    if (pick < 40) {
      return ByteMutations.any(valid, random);
    }
    if (pick < 55) {
      int at = 2 + random.nextInt(2); // the type byte or the rank byte
      int value = new int[] {0, 1, 2, 3, 4, 8, 9, 0x0d, 0xff}[random.nextInt(9)];
      byte[] b = valid.clone();
      b[at] = (byte) value;
      return new Mutation((at == 2 ? "type" : "rank") + " byte = " + value, b);
    }
    int dim = random.nextInt(rank);
    int original = ByteBuffer.wrap(valid).getInt(4 + 4 * dim);
    int value = pick < 85 ? ByteMutations.extremeInt(random) : original + random.nextInt(5) - 2;
    return new Mutation("dimension " + dim + " = " + value, ByteMutations.withInt(valid, 4 + 4 * dim, value, ByteOrder.BIG_ENDIAN));
  }

  /**
   * The reference reading: magic {@code 00 00 08 rank}, {@code rank} big-endian sizes (images need
   * rows and columns above 0), then exactly as many bytes as their product.
   */
  private static void assertAsTheHeaderSays(byte[] plain, int rank, int[] dims, byte[] values) {
    int headerSize = 4 + 4 * rank;
    if (plain.length < headerSize || plain[0] != 0 || plain[1] != 0 || plain[2] != 8 || plain[3] != rank) {
      throw new AssertionError("accepted a file whose magic is not 00 00 08 0" + rank);
    }
    ByteBuffer header = ByteBuffer.wrap(plain);
    long product = 1;
    int[] declared = new int[rank];
    for (int i = 0; i < rank; i++) {
      declared[i] = header.getInt(4 + 4 * i);
      if (declared[i] < 0 || (i > 0 && declared[i] == 0)) {
        throw new AssertionError("accepted dimension " + i + " = " + declared[i]);
      }
      try {
        product = Math.multiplyExact(product, declared[i]);
      } catch (ArithmeticException e) {
        throw new AssertionError("accepted dimensions whose product overflows: " + Arrays.toString(declared));
      }
    }
    if (product != plain.length - headerSize) {
      throw new AssertionError("accepted " + (plain.length - headerSize) + " data bytes for dimensions " + Arrays.toString(declared));
    }
    assertArrayEquals(declared, dims, "dimensions");
    assertArrayEquals(Arrays.copyOfRange(plain, headerSize, plain.length), values, "data");
  }
}
