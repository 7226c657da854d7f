package dev.tessera.runtime.data;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.types.ImageBatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated IDX, PNG and config.json files (truncated, flipped bytes, huge lengths, junk, deep
 * JSON): every case either reads or ends in the project's own exception, never an
 * OutOfMemoryError, another exception type or a hang. 1,000 cases per format here (seeded).
 */
class HostileFilesFuzzTest {
  static final int CASES = 1000;
  @TempDir Path tmp;

  private static byte[] mutate(byte[] valid, SplittableRandom r) {
    byte[] b = valid.clone();
    switch (r.nextInt(5)) {
      case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
      case 1 -> {
        for (int k = 0, n = 1 + r.nextInt(8); k < n && b.length > 0; k++) {
          b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 2 -> {
        if (b.length >= 8) {
          int at = r.nextInt(Math.min(b.length - 3, 24));
          b[at] = (byte) 0x7F;
          b[at + 1] = (byte) 0xFF;
          b[at + 2] = (byte) 0xFF;
          b[at + 3] = (byte) 0xFF;
        }
      }
      case 3 -> {
        byte[] junk = new byte[1 + r.nextInt(64)];
        r.nextBytes(junk);
        int at = r.nextInt(b.length + 1);
        byte[] out = new byte[b.length + junk.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(junk, 0, out, at, junk.length);
        System.arraycopy(b, at, out, at + junk.length, b.length - at);
        b = out;
      }
      default -> {
        if (b.length > 0) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
      }
    }
    return b;
  }

  private void fuzz(String name, byte[] valid, Consumer<Path> read) throws Exception {
    SplittableRandom r = new SplittableRandom(name.hashCode());
    Path file = tmp.resolve(name);
    int ok = 0;
    for (int i = 0; i < CASES; i++) {
      Files.write(file, mutate(valid, r));
      try {
        read.accept(file);
        ok++;
      } catch (TesseraException expected) {
        // the project's own error: fine
      } catch (Throwable t) {
        fail(name + " case " + i + ": " + t.getClass().getName() + ": " + t.getMessage(), t);
      }
    }
    assertTrue(ok < CASES, name + ": the mutations must break some files");
  }

  private static byte[] idx(int count) throws Exception {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.write(new byte[] {0, 0, 8, 3, 0, 0, 0, (byte) count, 0, 0, 0, 4, 0, 0, 0, 4});
    for (int i = 0; i < count * 16; i++) {
      raw.write(i);
    }
    return raw.toByteArray();
  }

  @Test
  void idxFiles() throws Exception {
    fuzz("images.idx", idx(5), f -> IdxReader.readImages(f));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(idx(5));
    }
    fuzz("images.idx.gz", gz.toByteArray(), f -> IdxReader.readImages(f));
    fuzz("labels.idx", new byte[] {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3}, f -> IdxReader.readLabels(f));
  }

  @Test
  void pngFiles() throws Exception {
    Path valid = tmp.resolve("valid.png");
    float[] px = new float[8 * 8 * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (i % 7) / 7f;
    }
    PngImages.write(valid, new ImageBatch(1, 8, 8, 3, px), 0);
    byte[] bytes = Files.readAllBytes(valid);
    fuzz("image.png", bytes, f -> PngImages.read(f, 3));
  }

  @Test
  void configFiles() throws Exception {
    byte[] valid = ModelConfig.empty().with("image_size", 28).with("name", "x").with("list", List.of(1, 2, 3)).toJson()
        .getBytes(StandardCharsets.UTF_8);
    fuzz("config.json", valid, f -> ModelConfig.read(f).getInt("image_size", 0));
    Path deep = tmp.resolve("deep.json");
    Files.writeString(deep, "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}");
    try {
      ModelConfig.read(deep);
      fail("100,000 levels of nesting must be refused");
    } catch (TesseraException expected) {
      assertTrue(expected.getMessage().contains("deep.json"));
    }
  }
}
