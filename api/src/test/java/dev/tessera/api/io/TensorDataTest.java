package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorDataTest {

  /** Little-endian bytes built with a ByteBuffer, for hand-made tensors. */
  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  @Test
  void floatsRoundTrip() {
    float[] values = {1f, -2.5f, 0f, Float.MAX_VALUE, Float.MIN_VALUE, -0f};
    TensorData t = TensorData.ofFloats(new long[] {2, 3}, values);
    assertEquals(DType.F32, t.dtype());
    assertArrayEquals(new long[] {2, 3}, t.shape());
    assertEquals(6, t.numElements());
    assertEquals(2, t.rank());
    assertEquals(24, t.bytes().length);
    assertArrayEquals(values, t.toFloats());
    // Raw bytes are little-endian IEEE floats.
    assertEquals(1f, ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN).getFloat(0));
  }

  @Test
  void defensiveCopies() {
    long[] shape = {2};
    byte[] data = new byte[8];
    TensorData t = new TensorData(DType.F32, shape, data);
    shape[0] = 99;
    data[0] = 1;
    assertArrayEquals(new long[] {2}, t.shape());
    assertEquals(0, t.bytes()[0]);
    t.shape()[0] = 7;
    t.bytes()[0] = 7;
    assertArrayEquals(new long[] {2}, t.shape());
    assertEquals(0, t.bytes()[0]);

    float[] values = {1f, 2f};
    TensorData f = TensorData.ofFloats(new long[] {2}, values);
    values[0] = 42f;
    assertEquals(1f, f.toFloats()[0]);

    assertThrows(ReadOnlyBufferException.class, () -> t.buffer().put(0, (byte) 1));
    assertEquals(ByteOrder.LITTLE_ENDIAN, t.buffer().order());
  }

  @Test
  void constructorValidatesShapeAndLength() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new TensorData(DType.F32, new long[] {2, 3}, new byte[20]));
    assertTrue(e.getMessage().contains("needs 24 bytes but data has 20"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new TensorData(DType.F32, new long[] {-1}, new byte[0]));
    e = assertThrows(
        IllegalArgumentException.class,
        () -> new TensorData(DType.U8, new long[] {1L << 32, 1L << 32}, new byte[0]));
    assertTrue(e.getMessage().contains("too many elements"), e.getMessage());
    // Element count fits in a long but the byte count does not.
    assertThrows(IllegalArgumentException.class, () -> new TensorData(DType.F64, new long[] {1L << 61}, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloats(new long[] {3}, new float[2]));
    assertThrows(IllegalArgumentException.class, () -> TensorData.ofInts(new long[] {2, 2}, new int[3]));
    assertThrows(IllegalArgumentException.class, () -> TensorData.ofLongs(new long[] {}, new long[0]));
    assertThrows(IllegalArgumentException.class, () -> TensorData.ofFloats(DType.I32, new long[] {1}, new float[1]));
  }

  @Test
  void scalarAndEmptyShapes() {
    TensorData scalar = TensorData.ofFloats(new long[] {}, new float[] {3.5f});
    assertEquals(1, scalar.numElements());
    assertEquals(0, scalar.rank());
    assertArrayEquals(new float[] {3.5f}, scalar.toFloats());

    TensorData empty = TensorData.ofFloats(new long[] {4, 0, 2}, new float[0]);
    assertEquals(0, empty.numElements());
    assertEquals(0, empty.bytes().length);
    assertEquals(0, empty.toFloats().length);
  }

  @Test
  void intsAndLongs() {
    int[] ints = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
    TensorData i = TensorData.ofInts(new long[] {4}, ints);
    assertEquals(DType.I32, i.dtype());
    assertArrayEquals(ints, i.toInts());
    assertArrayEquals(new long[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, i.toLongs());
    assertArrayEquals(new float[] {0f, -1f, Integer.MAX_VALUE, Integer.MIN_VALUE}, i.toFloats());

    long[] longs = {5, -7, 1L << 40};
    TensorData l = TensorData.ofLongs(new long[] {3}, longs);
    assertEquals(DType.I64, l.dtype());
    assertArrayEquals(longs, l.toLongs());
    IllegalStateException e = assertThrows(IllegalStateException.class, l::toInts);
    assertTrue(e.getMessage().contains("1099511627776 at index 2 does not fit in an int"), e.getMessage());
    assertArrayEquals(new int[] {5, -7}, TensorData.ofLongs(new long[] {2}, new long[] {5, -7}).toInts());

    TensorData f = TensorData.ofFloats(new long[] {1}, new float[] {1f});
    e = assertThrows(IllegalStateException.class, f::toInts);
    assertTrue(e.getMessage().contains("F32"), e.getMessage());
    assertThrows(IllegalStateException.class, f::toLongs);
  }

  @Test
  void integerDtypesConvert() {
    byte[] bytes = {(byte) 0xFF, 0x01, 0x00, (byte) 0x80};
    TensorData u8 = new TensorData(DType.U8, new long[] {4}, bytes);
    TensorData i8 = new TensorData(DType.I8, new long[] {4}, bytes);
    TensorData bool = new TensorData(DType.BOOL, new long[] {4}, bytes);
    assertArrayEquals(new float[] {255, 1, 0, 128}, u8.toFloats());
    assertArrayEquals(new int[] {255, 1, 0, 128}, u8.toInts());
    assertArrayEquals(new float[] {-1, 1, 0, -128}, i8.toFloats());
    assertArrayEquals(new int[] {-1, 1, 0, -128}, i8.toInts());
    assertArrayEquals(new float[] {1, 1, 0, 1}, bool.toFloats());
    assertArrayEquals(new int[] {1, 1, 0, 1}, bool.toInts());

    TensorData i16 = new TensorData(DType.I16, new long[] {2}, le(4).putShort((short) -300).putShort((short) 300).array());
    assertArrayEquals(new int[] {-300, 300}, i16.toInts());
    assertArrayEquals(new float[] {-300, 300}, i16.toFloats());
    TensorData u16 = new TensorData(DType.U16, new long[] {1}, le(2).putShort((short) 0xFFFF).array());
    assertArrayEquals(new int[] {65535}, u16.toInts());

    TensorData u32 = new TensorData(DType.U32, new long[] {2}, le(8).putInt(-1).putInt(7).array());
    assertArrayEquals(new long[] {0xFFFF_FFFFL, 7}, u32.toLongs());
    assertArrayEquals(new float[] {4294967295f, 7f}, u32.toFloats());
    assertThrows(IllegalStateException.class, u32::toInts);

    TensorData u64 = new TensorData(DType.U64, new long[] {2}, le(16).putLong(-1L).putLong(1L << 63).array());
    assertArrayEquals(new float[] {18446744073709551615f, 9223372036854775808f}, u64.toFloats());
    IllegalStateException e = assertThrows(IllegalStateException.class, u64::toLongs);
    assertTrue(e.getMessage().contains("18446744073709551615"), e.getMessage());
  }

  @Test
  void f64ConvertsBothWays() {
    TensorData d = TensorData.ofFloats(DType.F64, new long[] {2}, new float[] {0.1f, -3f});
    assertEquals(DType.F64, d.dtype());
    assertEquals(16, d.bytes().length);
    assertEquals((double) 0.1f, d.buffer().getDouble(0));
    assertArrayEquals(new float[] {0.1f, -3f}, d.toFloats());
    TensorData precise = new TensorData(DType.F64, new long[] {1}, le(8).putDouble(1.0 / 3).array());
    assertArrayEquals(new float[] {(float) (1.0 / 3)}, precise.toFloats());
  }

  @Test
  void halfKnownValues() {
    assertEquals(0x3C00, bits16(TensorData.floatToHalf(1f)));
    assertEquals(0xC000, bits16(TensorData.floatToHalf(-2f)));
    assertEquals(0x0000, bits16(TensorData.floatToHalf(0f)));
    assertEquals(0x8000, bits16(TensorData.floatToHalf(-0f)));
    assertEquals(0x7BFF, bits16(TensorData.floatToHalf(65504f))); // largest finite half
    assertEquals(0x7BFF, bits16(TensorData.floatToHalf(65519.99f))); // just below the tie
    assertEquals(0x7C00, bits16(TensorData.floatToHalf(65520f))); // tie rounds to even: infinity
    assertEquals(0x7C00, bits16(TensorData.floatToHalf(Float.POSITIVE_INFINITY)));
    assertEquals(0xFC00, bits16(TensorData.floatToHalf(-1e10f)));
    assertEquals(0x0001, bits16(TensorData.floatToHalf(0x1p-24f))); // smallest subnormal
    assertEquals(0x0000, bits16(TensorData.floatToHalf(0x1p-25f))); // tie with zero: even
    assertEquals(0x0001, bits16(TensorData.floatToHalf(0x1.8p-25f)));
    assertEquals(0x0400, bits16(TensorData.floatToHalf(0x1p-14f))); // smallest normal
    assertEquals(0x03FF, bits16(TensorData.floatToHalf(0x1.ff8p-15f))); // largest subnormal
    assertEquals(0x0400, bits16(TensorData.floatToHalf(0x1.ffcp-15f))); // tie rounds up into normal
    assertEquals(0x2E66, bits16(TensorData.floatToHalf(0.1f)));
    assertEquals(0x3C00, bits16(TensorData.floatToHalf(1f + 0x1p-11f))); // tie: even (down)
    assertEquals(0x3C02, bits16(TensorData.floatToHalf(1f + 3 * 0x1p-11f))); // tie: even (up)
    assertTrue(Float.isNaN(TensorData.halfToFloat(TensorData.floatToHalf(Float.NaN))));
    // A NaN whose payload lives only in the low bits must not turn into infinity.
    assertTrue(Float.isNaN(TensorData.halfToFloat(TensorData.floatToHalf(Float.intBitsToFloat(0x7F80_0001)))));
    assertEquals(65504f, TensorData.halfToFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, TensorData.halfToFloat((short) 0x0001));
    assertEquals(-0x1p-24f, TensorData.halfToFloat((short) 0x8001));
    assertEquals(Float.NEGATIVE_INFINITY, TensorData.halfToFloat((short) 0xFC00));
  }

  @Test
  void everyHalfRoundTripsExactly() {
    for (int h = 0; h <= 0xFFFF; h++) {
      float f = TensorData.halfToFloat((short) h);
      if (Float.isNaN(f)) {
        assertTrue(Float.isNaN(TensorData.halfToFloat(TensorData.floatToHalf(f))), "NaN " + h);
      } else {
        assertEquals(h, bits16(TensorData.floatToHalf(f)), "half 0x" + Integer.toHexString(h));
      }
    }
  }

  /** For random floats the chosen half is the nearest one (ties to even), checked via neighbours. */
  @Test
  void halfRoundsToNearest() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(random.nextInt()); // every exponent, incl. out of range
      if (Float.isNaN(f) || Math.abs(f) > 65504f) {
        continue;
      }
      int h = bits16(TensorData.floatToHalf(f));
      double err = Math.abs((double) TensorData.halfToFloat((short) h) - f);
      for (int neighbour : new int[] {h - 1, h + 1}) {
        if ((neighbour & 0x7FFF) >= 0x7C00 || neighbour < 0 || neighbour > 0xFFFF || ((neighbour ^ h) & 0x8000) != 0) {
          continue; // not a finite half of the same sign
        }
        double other = Math.abs((double) TensorData.halfToFloat((short) neighbour) - f);
        assertTrue(err < other || (err == other && (h & 1) == 0), "float " + f + " -> 0x" + Integer.toHexString(h));
      }
    }
  }

  @Test
  void bfloat16Conversions() {
    assertEquals(0x3F80, bits16(TensorData.floatToBfloat16(1f)));
    assertEquals(0x3F80, bits16(TensorData.floatToBfloat16(Float.intBitsToFloat(0x3F80_8000)))); // tie: even
    assertEquals(0x3F82, bits16(TensorData.floatToBfloat16(Float.intBitsToFloat(0x3F81_8000)))); // tie: even
    assertEquals(0x3F81, bits16(TensorData.floatToBfloat16(Float.intBitsToFloat(0x3F80_8001))));
    assertEquals(0x7F80, bits16(TensorData.floatToBfloat16(Float.MAX_VALUE))); // overflows to infinity
    assertTrue(Float.isNaN(TensorData.bfloat16ToFloat(TensorData.floatToBfloat16(Float.intBitsToFloat(0x7F80_0001)))));
    for (int b = 0; b <= 0xFFFF; b++) {
      float f = TensorData.bfloat16ToFloat((short) b);
      if (!Float.isNaN(f)) {
        assertEquals(b, bits16(TensorData.floatToBfloat16(f)), "bf16 0x" + Integer.toHexString(b));
      }
    }
  }

  @Test
  void halfAndBfloat16Tensors() {
    float[] values = {1f, -0.5f, 0.1f, 1000f};
    TensorData h = TensorData.ofFloats(DType.F16, new long[] {2, 2}, values);
    assertEquals(DType.F16, h.dtype());
    assertEquals(8, h.bytes().length);
    assertEquals(0x3C00, h.buffer().getShort(0) & 0xFFFF);
    float[] back = h.toFloats();
    for (int i = 0; i < values.length; i++) {
      assertEquals(values[i], back[i], Math.abs(values[i]) * 0x1p-11f);
    }
    TensorData b = TensorData.ofFloats(DType.BF16, new long[] {4}, values);
    assertEquals(0x3F80, b.buffer().getShort(0) & 0xFFFF);
    back = b.toFloats();
    for (int i = 0; i < values.length; i++) {
      assertEquals(values[i], back[i], Math.abs(values[i]) * 0x1p-8f);
    }
  }

  @Test
  void equalsHashCodeToString() {
    TensorData a = TensorData.ofFloats(new long[] {2, 3}, new float[6]);
    TensorData same = new TensorData(DType.F32, new long[] {2, 3}, new byte[24]);
    assertEquals(a, same);
    assertEquals(a.hashCode(), same.hashCode());
    assertNotEquals(a, TensorData.ofFloats(new long[] {3, 2}, new float[6]));
    assertNotEquals(a, new TensorData(DType.I32, new long[] {2, 3}, new byte[24]));
    assertNotEquals(a, TensorData.ofFloats(new long[] {2, 3}, new float[] {1, 0, 0, 0, 0, 0}));
    assertNotEquals(a, "not a tensor");
    assertTrue(a.toString().contains("F32"), a.toString());
    assertTrue(a.toString().contains("[2, 3]"), a.toString());
  }

  @Test
  void dtypeParse() {
    assertEquals(DType.BF16, DType.parse("BF16", java.nio.file.Path.of("x.safetensors")));
    assertEquals(2, DType.BF16.byteSize());
    assertEquals(8, DType.U64.byteSize());
    WeightsFormatException e =
        assertThrows(WeightsFormatException.class, () -> DType.parse("f32", java.nio.file.Path.of("x.safetensors")));
    assertTrue(e.getMessage().startsWith("x.safetensors: unknown dtype 'f32' (expected one of BOOL, U8"), e.getMessage());
  }

  private static int bits16(short s) {
    return s & 0xFFFF;
  }
}
