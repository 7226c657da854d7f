package dev.tessera.api.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element types of the safetensors format. The constant names are exactly the strings used in a
 * safetensors header's {@code "dtype"} field.
 */
public enum DType {
  BOOL(1),
  U8(1),
  I8(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  F64(8),
  I64(8),
  U64(8);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  /** F16, BF16, F32 or F64: the types whose values can be NaN or infinite. */
  public boolean isFloatingPoint() {
    return this == F16 || this == BF16 || this == F32 || this == F64;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /**
   * The dtype named {@code name} (case-sensitive, as in the safetensors spec).
   *
   * @param file the file being read, named in the error message
   * @throws WeightsFormatException if the name is not a known dtype
   */
  public static DType parse(String name, Path file) {
    DType d = find(name);
    if (d == null) {
      throw new WeightsFormatException(file, unknown(name));
    }
    return d;
  }

  /** The dtype named {@code name}, or null. */
  static DType find(String name) {
    // A loop rather than valueOf: no exception-driven control flow, and null is handled.
    for (DType d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }

  /** The problem text for an unknown dtype name. */
  static String unknown(String name) {
    String expected = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    return "unknown dtype '" + name + "' (expected one of " + expected + ")";
  }
}
