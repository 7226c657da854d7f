package dev.tessera.api.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in host memory: element type, shape and raw little-endian bytes, exactly as stored in
 * a safetensors file. Immutable: arrays are copied on the way in and on the way out (use {@link
 * #buffer()} for a copy-free read-only view).
 */
public final class TensorData {
  private final DType dtype;
  private final long[] shape;
  private final byte[] data;
  private final long numElements;

  /**
   * @param dtype element type
   * @param shape dimensions, each non-negative; {@code []} is a scalar
   * @param data little-endian raw bytes, exactly {@code product(shape) * dtype.byteSize()} of them
   * @throws IllegalArgumentException if the shape is invalid or does not match the data length
   */
  public TensorData(DType dtype, long[] shape, byte[] data) {
    this(dtype, shape.clone(), data.clone(), OWNED);
  }

  /** Marker selecting the no-copy constructor. */
  private static final Object OWNED = new Object();

  /**
   * Takes ownership of the arrays without copying; callers must not keep references to them.
   * ({@code owned} only distinguishes this signature from the public one.)
   */
  private TensorData(DType dtype, long[] shape, byte[] data, Object owned) {
    if (dtype == null) {
      throw new IllegalArgumentException("dtype is null");
    }
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
    this.numElements = elementCount(shape);
    long needed;
    try {
      needed = Math.multiplyExact(numElements, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " of " + dtype + " is too large");
    }
    if (needed != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + needed
              + " bytes but data has " + data.length);
    }
  }

  /** For the reader and the factories: wraps freshly allocated arrays without another copy. */
  static TensorData wrap(DType dtype, long[] shape, byte[] data) {
    return new TensorData(dtype, shape, data, OWNED);
  }

  /** A F32 tensor holding {@code values} (row-major). */
  public static TensorData ofFloats(long[] shape, float[] values) {
    return ofFloats(DType.F32, shape, values);
  }

  /**
   * A floating-point tensor of the given dtype holding {@code values}, rounded to nearest-even
   * when the dtype is narrower than float.
   *
   * @param dtype one of F32, F64, F16, BF16
   */
  public static TensorData ofFloats(DType dtype, long[] shape, float[] values) {
    ByteBuffer buf = allocate(dtype, shape, values.length);
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().put(values);
      case F64 -> {
        for (float v : values) {
          buf.putDouble(v);
        }
      }
      case F16 -> {
        for (float v : values) {
          buf.putShort(floatToHalf(v));
        }
      }
      case BF16 -> {
        for (float v : values) {
          buf.putShort(floatToBfloat16(v));
        }
      }
      default -> throw new IllegalArgumentException("ofFloats cannot produce " + dtype + "; use F32, F64, F16 or BF16");
    }
    return wrap(dtype, shape.clone(), buf.array());
  }

  /** An I32 tensor holding {@code values} (row-major). */
  public static TensorData ofInts(long[] shape, int[] values) {
    ByteBuffer buf = allocate(DType.I32, shape, values.length);
    buf.asIntBuffer().put(values);
    return wrap(DType.I32, shape.clone(), buf.array());
  }

  /** An I64 tensor holding {@code values} (row-major). */
  public static TensorData ofLongs(long[] shape, long[] values) {
    ByteBuffer buf = allocate(DType.I64, shape, values.length);
    buf.asLongBuffer().put(values);
    return wrap(DType.I64, shape.clone(), buf.array());
  }

  public DType dtype() {
    return dtype;
  }

  /** The dimensions (a copy). */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of dimensions; 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /** Product of the dimensions (1 for a scalar). */
  public long numElements() {
    return numElements;
  }

  /** The raw little-endian bytes (a copy). */
  public byte[] bytes() {
    return data.clone();
  }

  /** A read-only little-endian view of the raw bytes, without copying. */
  public ByteBuffer buffer() {
    return ByteBuffer.wrap(data).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The backing array itself, for the writer; must not be modified. */
  byte[] rawBytes() {
    return data;
  }

  /**
   * The values converted to float. Works for every dtype: integers are converted (large ones
   * lose precision), BOOL becomes 0 or 1, F16/BF16/F64 are widened or rounded.
   */
  public float[] toFloats() {
    int n = (int) numElements;
    float[] out = new float[n];
    ByteBuffer buf = buffer();
    switch (dtype) {
      case F32 -> buf.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) buf.getDouble();
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = halfToFloat(buf.getShort());
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = bfloat16ToFloat(buf.getShort());
        }
      }
      case BOOL -> {
        for (int i = 0; i < n; i++) {
          out[i] = buf.get() != 0 ? 1f : 0f;
        }
      }
      case U64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = unsignedLongToFloat(buf.getLong());
        }
      }
      default -> {
        // Every remaining dtype is an integer type that fits in a long exactly.
        for (int i = 0; i < n; i++) {
          out[i] = (float) readIntegral(buf);
        }
      }
    }
    return out;
  }

  /**
   * The values as ints, for integer dtypes (I8, U8, I16, U16, I32, U32, I64, U64, BOOL).
   *
   * @throws IllegalStateException for floating-point dtypes, or if a value does not fit in an int
   */
  public int[] toInts() {
    requireIntegral("toInts");
    int n = (int) numElements;
    int[] out = new int[n];
    ByteBuffer buf = buffer();
    if (dtype == DType.I32) {
      buf.asIntBuffer().get(out);
      return out;
    }
    for (int i = 0; i < n; i++) {
      long v = readIntegral(buf);
      if (v != (int) v) {
        throw new IllegalStateException(
            dtype + " value " + (dtype == DType.U64 ? Long.toUnsignedString(v) : Long.toString(v))
                + " at index " + i + " does not fit in an int");
      }
      out[i] = (int) v;
    }
    return out;
  }

  /**
   * The values as longs, for integer dtypes (I8, U8, I16, U16, I32, U32, I64, U64, BOOL).
   *
   * @throws IllegalStateException for floating-point dtypes, or for a U64 value above {@link
   *     Long#MAX_VALUE}
   */
  public long[] toLongs() {
    requireIntegral("toLongs");
    int n = (int) numElements;
    long[] out = new long[n];
    ByteBuffer buf = buffer();
    for (int i = 0; i < n; i++) {
      long v = readIntegral(buf);
      if (dtype == DType.U64 && v < 0) {
        throw new IllegalStateException(
            "U64 value " + Long.toUnsignedString(v) + " at index " + i + " does not fit in a long");
      }
      out[i] = v;
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorData t
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "TensorData[" + dtype + " " + Arrays.toString(shape) + "]";
  }

  // ---- helpers ----

  /** Product of the dimensions, rejecting negative dimensions and overflow. */
  static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has too many elements");
      }
    }
    return n;
  }

  /** A little-endian buffer sized for {@code shape}, after checking it matches the value count. */
  private static ByteBuffer allocate(DType dtype, long[] shape, int valueCount) {
    long n = elementCount(shape);
    if (n != valueCount) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + n + " values but got " + valueCount);
    }
    long bytes = n * dtype.byteSize(); // no overflow: n is at most Integer.MAX_VALUE here
    if (bytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
              + " bytes, more than a Java array can hold");
    }
    return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  private void requireIntegral(String method) {
    switch (dtype) {
      case F16, BF16, F32, F64 -> throw new IllegalStateException(
          method + " needs an integer dtype but this tensor is " + dtype);
      default -> {}
    }
  }

  /** Reads one element of an integer (or BOOL) dtype; U64 comes back as its raw bit pattern. */
  private long readIntegral(ByteBuffer buf) {
    return switch (dtype) {
      case BOOL -> buf.get() != 0 ? 1 : 0;
      case U8 -> buf.get() & 0xFF;
      case I8 -> buf.get();
      case I16 -> buf.getShort();
      case U16 -> buf.getShort() & 0xFFFF;
      case I32 -> buf.getInt();
      case U32 -> buf.getInt() & 0xFFFF_FFFFL;
      case I64, U64 -> buf.getLong();
      default -> throw new IllegalStateException("not an integer dtype: " + dtype);
    };
  }

  private static float unsignedLongToFloat(long v) {
    if (v >= 0) {
      return (float) v;
    }
    // Halve (keeping the low bit so rounding stays correct), convert, double.
    return ((float) ((v >>> 1) | (v & 1))) * 2f;
  }

  /** IEEE 754 binary16 bits to float (exact: every half is representable as a float). */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) { // infinity or NaN; keep the NaN payload
      return Float.intBitsToFloat(sign | 0x7F80_0000 | (mant << 13));
    }
    if (exp == 0) { // zero or subnormal: mant * 2^-24
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + (127 - 15)) << 23) | (mant << 13));
  }

  /** Float to IEEE 754 binary16 bits, rounding to nearest even; overflow becomes infinity. */
  static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7F_FFFF;
    if (exp == 0xFF) { // infinity or NaN; force a quiet-NaN bit so a NaN never becomes infinity
      return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15; // rebiased exponent
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) { // below half the smallest subnormal: rounds to zero
        return (short) sign;
      }
      // Subnormal half: shift the full significand (with its implicit 1) into place.
      int full = mant | 0x80_0000;
      int shift = 14 - e;
      return (short) (sign | roundShift(full, shift));
    }
    // Normal: a carry out of the mantissa correctly bumps the exponent (possibly to infinity).
    return (short) (sign | (((e << 10) | (mant >>> 13)) + roundBit(mant, 13, mant >>> 13)));
  }

  /** bfloat16 bits to float (exact). */
  static float bfloat16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xFFFF) << 16);
  }

  /** Float to bfloat16 bits, rounding to nearest even; NaN stays NaN. */
  static short floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x40);
    }
    return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
  }

  /** {@code value >>> shift}, rounded to nearest even. */
  private static int roundShift(int value, int shift) {
    int kept = value >>> shift;
    return kept + roundBit(value, shift, kept);
  }

  /** 1 if dropping the low {@code shift} bits of {@code value} should round {@code kept} up. */
  private static int roundBit(int value, int shift, int kept) {
    int rem = value & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    return (rem > halfway || (rem == halfway && (kept & 1) != 0)) ? 1 : 0;
  }
}
