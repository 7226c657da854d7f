package dev.tessera.runtime.data;

import dev.tessera.api.testing.ByteMutations;
import dev.tessera.api.testing.Mutation;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * Damaged PNG files for the fuzz test. Byte damage leaves the chunks' CRC-32s wrong; chunk damage
 * writes valid CRCs, as a hostile file would: IHDR sizes of 2^31-1 or 16384 x 16384 over a few
 * bytes of data, other bit depths and colour types, flipped compressed data, chunk lengths past
 * the end, chunks removed, repeated, reordered or split, extra chunks and data after IEND.
 */
final class PngDamage {
  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  private PngDamage() {}

  /**
   * A damaged PNG.
   *
   * @param imageIntact whether a correct reader that accepts the file must return the intact
   *     image: true for damage a CRC or the zlib checksum covers and for changes that keep the
   *     image (an extra ancillary chunk, IDAT split in two); false when the header was rewritten
   */
  record Damage(Mutation mutation, boolean imageIntact) {}

  /** One chunk: its 4-letter type and its data. */
  private record Chunk(String type, byte[] data) {}

  static Damage any(byte[] valid, SplittableRandom random) {
    int pick = random.nextInt(100);
    if (pick < 35) {
      return new Damage(ByteMutations.any(valid, random), true);
    }
    List<Chunk> chunks = chunks(valid);
    if (pick < 60) {
      return header(chunks, random);
    }
    return structure(chunks, random);
  }

  /** IHDR rewritten with a valid CRC: size, bit depth, colour type, compression, filter, interlace. */
  private static Damage header(List<Chunk> chunks, SplittableRandom random) {
    byte[] ihdr = chunks.get(0).data().clone();
    ByteBuffer b = ByteBuffer.wrap(ihdr);
    String what;
    switch (random.nextInt(5)) {
      case 0 -> {
        int w = ByteMutations.extremeInt(random);
        int h = random.nextBoolean() ? w : b.getInt(4);
        b.putInt(0, w).putInt(4, h);
        what = "width " + w + ", height " + h;
      }
      case 1 -> {
        int w = 1 + random.nextInt(12);
        int h = 1 + random.nextInt(12);
        b.putInt(0, w).putInt(4, h);
        what = "width " + w + ", height " + h;
      }
      case 2 -> {
        int w = b.getInt(0);
        b.putInt(0, b.getInt(4)).putInt(4, w);
        what = "width and height swapped";
      }
      case 3 -> {
        int field = 8 + random.nextInt(5); // bit depth, colour type, compression, filter, interlace
        int value = new int[] {0, 1, 2, 3, 4, 6, 7, 8, 16, 255}[random.nextInt(10)];
        ihdr[field] = (byte) value;
        what = new String[] {"bit depth", "colour type", "compression", "filter", "interlace"}[field - 8] + " = " + value;
      }
      default -> {
        ihdr = Arrays.copyOf(ihdr, random.nextInt(13));
        what = "IHDR of " + ihdr.length + " bytes";
      }
    }
    List<Chunk> out = new ArrayList<>(chunks);
    out.set(0, new Chunk("IHDR", ihdr));
    return new Damage(new Mutation("IHDR " + what + " (CRC fixed)", assemble(out)), false);
  }

  /** Chunks changed with valid CRCs: compressed data flipped, lengths wrong, chunks moved or added. */
  private static Damage structure(List<Chunk> chunks, SplittableRandom random) {
    List<Chunk> out = new ArrayList<>(chunks);
    int idat = indexOf(out, "IDAT");
    switch (random.nextInt(9)) {
      case 0 -> {
        byte[] data = out.get(idat).data().clone();
        int at = random.nextInt(data.length);
        data[at] ^= (byte) (1 << random.nextInt(8));
        out.set(idat, new Chunk("IDAT", data));
        return new Damage(new Mutation("IDAT byte " + at + " flipped (CRC fixed)", assemble(out)), true);
      }
      case 1 -> {
        byte[] file = assemble(out);
        int at = offsetOf(out, random.nextInt(out.size()));
        int value = ByteMutations.extremeInt(random);
        return new Damage(new Mutation("chunk length at " + at + " = " + value, ByteMutations.withInt(file, at, value, ByteOrder.BIG_ENDIAN)), true);
      }
      case 2 -> {
        String type = out.get(random.nextInt(out.size())).type();
        out.remove(indexOf(out, type));
        return new Damage(new Mutation("chunk " + type + " removed", assemble(out)), true);
      }
      case 3 -> {
        int i = random.nextInt(out.size());
        out.add(i, out.get(i));
        return new Damage(new Mutation("chunk " + out.get(i).type() + " repeated", assemble(out)), true);
      }
      case 4 -> {
        Chunk first = out.remove(0);
        out.add(random.nextInt(out.size() + 1), first);
        return new Damage(new Mutation("IHDR moved", assemble(out)), true);
      }
      case 5 -> {
        byte[] data = out.get(idat).data();
        int cut = random.nextInt(data.length + 1);
        out.set(idat, new Chunk("IDAT", Arrays.copyOf(data, cut)));
        out.add(idat + 1, new Chunk("IDAT", Arrays.copyOfRange(data, cut, data.length)));
        return new Damage(new Mutation("IDAT split at " + cut, assemble(out)), true);
      }
      case 6 -> {
        byte[] data = out.get(idat).data();
        int cut = random.nextInt(data.length);
        out.set(idat, new Chunk("IDAT", Arrays.copyOf(data, cut)));
        return new Damage(new Mutation("IDAT cut to " + cut + " of " + data.length + " bytes (CRC fixed)", assemble(out)), true);
      }
      case 7 -> {
        String type = random.nextBoolean() ? "tEXt" : "zzZz";
        out.add(1 + random.nextInt(out.size() - 1), new Chunk(type, "Comment\0fuzz".getBytes(StandardCharsets.ISO_8859_1)));
        return new Damage(new Mutation("ancillary chunk " + type + " added", assemble(out)), true);
      }
      default -> {
        byte[] file = assemble(out);
        byte[] junk = ByteMutations.randomBytes(random, 1 + random.nextInt(32));
        return new Damage(new Mutation(junk.length + " bytes after IEND", ByteMutations.insert(file, file.length, junk)), true);
      }
    }
  }

  private static int indexOf(List<Chunk> chunks, String type) {
    for (int i = 0; i < chunks.size(); i++) {
      if (chunks.get(i).type().equals(type)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no " + type + " chunk");
  }

  /** Offset in the assembled file of chunk {@code index}'s length field. */
  private static int offsetOf(List<Chunk> chunks, int index) {
    int at = SIGNATURE.length;
    for (int i = 0; i < index; i++) {
      at += 12 + chunks.get(i).data().length;
    }
    return at;
  }

  /** The chunks of a valid PNG, in file order. */
  private static List<Chunk> chunks(byte[] png) {
    List<Chunk> out = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(png);
    int at = SIGNATURE.length;
    while (at < png.length) {
      int length = b.getInt(at);
      String type = new String(png, at + 4, 4, StandardCharsets.ISO_8859_1);
      out.add(new Chunk(type, Arrays.copyOfRange(png, at + 8, at + 8 + length)));
      at += 12 + length;
    }
    return out;
  }

  /** Signature plus the chunks, each with its length and a correct CRC-32. */
  private static byte[] assemble(List<Chunk> chunks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(SIGNATURE);
    for (Chunk c : chunks) {
      byte[] type = c.type().getBytes(StandardCharsets.ISO_8859_1);
      CRC32 crc = new CRC32();
      crc.update(type);
      crc.update(c.data());
      out.writeBytes(ByteBuffer.allocate(4).putInt(c.data().length).array());
      out.writeBytes(type);
      out.writeBytes(c.data());
      out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
    return out.toByteArray();
  }
}
