package dev.tessera.api.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Format-blind damage to a file's bytes: what an interrupted download, a bad disk or a careless
 * edit does. Every method returns a new array; the input is never changed.
 */
public final class ByteMutations {
  private ByteMutations() {}

  /** One kind of damage, drawn at random: mostly truncation and flipped or overwritten bytes. */
  public static Mutation any(byte[] valid, SplittableRandom random) {
    int pick = random.nextInt(100);
    if (pick < 20) {
      return truncate(valid, random);
    } else if (pick < 45) {
      return flipBits(valid, random);
    } else if (pick < 65) {
      return overwrite(valid, random);
    } else if (pick < 75) {
      return insertJunk(valid, random);
    } else if (pick < 85) {
      return deleteRange(valid, random);
    } else if (pick < 90) {
      return duplicateRange(valid, random);
    } else if (pick < 97) {
      return appendJunk(valid, random);
    }
    return new Mutation("empty file", new byte[0]);
  }

  /** Cut at a random point (possibly keeping nothing or everything). */
  public static Mutation truncate(byte[] valid, SplittableRandom random) {
    int length = random.nextInt(valid.length + 1);
    return new Mutation("truncate to " + length + " of " + valid.length + " bytes", Arrays.copyOf(valid, length));
  }

  /** Flip one to eight single bits at random positions. */
  public static Mutation flipBits(byte[] valid, SplittableRandom random) {
    byte[] b = valid.clone();
    StringBuilder at = new StringBuilder();
    for (int k = 1 + random.nextInt(8); k > 0 && b.length > 0; k--) {
      int i = random.nextInt(b.length);
      int bit = random.nextInt(8);
      b[i] ^= (byte) (1 << bit);
      at.append(at.length() == 0 ? "" : ",").append(i).append('.').append(bit);
    }
    return new Mutation("flip bits at " + at, b);
  }

  /** Overwrite one to four bytes with random values. */
  public static Mutation overwrite(byte[] valid, SplittableRandom random) {
    byte[] b = valid.clone();
    StringBuilder at = new StringBuilder();
    for (int k = 1 + random.nextInt(4); k > 0 && b.length > 0; k--) {
      int i = random.nextInt(b.length);
      b[i] = (byte) random.nextInt(256);
      at.append(at.length() == 0 ? "" : ",").append(i).append('=').append(b[i] & 0xff);
    }
    return new Mutation("overwrite bytes " + at, b);
  }

  /** Insert 1 to 64 random bytes at a random position. */
  public static Mutation insertJunk(byte[] valid, SplittableRandom random) {
    byte[] junk = randomBytes(random, 1 + random.nextInt(64));
    int at = random.nextInt(valid.length + 1);
    return new Mutation("insert " + junk.length + " random bytes at " + at, insert(valid, at, junk));
  }

  /** Remove a random range of up to 64 bytes. */
  public static Mutation deleteRange(byte[] valid, SplittableRandom random) {
    if (valid.length == 0) {
      return new Mutation("delete nothing from an empty file", valid.clone());
    }
    int from = random.nextInt(valid.length);
    int to = Math.min(valid.length, from + 1 + random.nextInt(64));
    byte[] out = new byte[valid.length - (to - from)];
    System.arraycopy(valid, 0, out, 0, from);
    System.arraycopy(valid, to, out, from, valid.length - to);
    return new Mutation("delete bytes [" + from + ", " + to + ")", out);
  }

  /** Repeat a random range of up to 64 bytes right after itself. */
  public static Mutation duplicateRange(byte[] valid, SplittableRandom random) {
    if (valid.length == 0) {
      return new Mutation("duplicate nothing in an empty file", valid.clone());
    }
    int from = random.nextInt(valid.length);
    int to = Math.min(valid.length, from + 1 + random.nextInt(64));
    return new Mutation("repeat bytes [" + from + ", " + to + ")", insert(valid, to, Arrays.copyOfRange(valid, from, to)));
  }

  /** Append 1 to 64 random bytes. */
  public static Mutation appendJunk(byte[] valid, SplittableRandom random) {
    byte[] junk = randomBytes(random, 1 + random.nextInt(64));
    return new Mutation("append " + junk.length + " random bytes", insert(valid, valid.length, junk));
  }

  // ------------------------------------------------------------ building blocks for format-aware damage

  /** A length or count a hostile header would carry: the extremes around 2^31 and 2^32, 0, -1 and a random one. */
  public static int extremeInt(SplittableRandom random) {
    int[] values = {Integer.MAX_VALUE, Integer.MIN_VALUE, -1, 0, 1 << 30, 0x10000, 0x4000, 0x7FFF_FFF0, random.nextInt()};
    return values[random.nextInt(values.length)];
  }

  /** A 64-bit length a hostile header would carry: 2^62, 2^63-1, -1 (2^64-1 unsigned), 2^31, 2^32 and a random one. */
  public static long extremeLong(SplittableRandom random) {
    long[] values = {1L << 62, Long.MAX_VALUE, -1L, Long.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, random.nextLong()};
    return values[random.nextInt(values.length)];
  }

  /** A copy with a 4-byte int written at {@code at} in the given byte order (no-op past the end). */
  public static byte[] withInt(byte[] bytes, int at, int value, ByteOrder order) {
    byte[] b = bytes.clone();
    if (at >= 0 && at + 4 <= b.length) {
      ByteBuffer.wrap(b).order(order).putInt(at, value);
    }
    return b;
  }

  /** A copy with an 8-byte long written at {@code at} in the given byte order (no-op past the end). */
  public static byte[] withLong(byte[] bytes, int at, long value, ByteOrder order) {
    byte[] b = bytes.clone();
    if (at >= 0 && at + 8 <= b.length) {
      ByteBuffer.wrap(b).order(order).putLong(at, value);
    }
    return b;
  }

  /** A copy with {@code inserted} placed at {@code at}. */
  public static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    byte[] out = new byte[bytes.length + inserted.length];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(inserted, 0, out, at, inserted.length);
    System.arraycopy(bytes, at, out, at + inserted.length, bytes.length - at);
    return out;
  }

  public static byte[] randomBytes(SplittableRandom random, int n) {
    byte[] out = new byte[n];
    random.nextBytes(out);
    return out;
  }
}
