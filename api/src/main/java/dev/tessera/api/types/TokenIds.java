package dev.tessera.api.types;

import java.util.Arrays;

/** A sequence of token ids; {@code length()} counts real tokens, not padding. */
public final class TokenIds {
  private final int[] ids;
  private final int length;

  public TokenIds(int[] ids) {
    this(ids, ids.length);
  }

  public TokenIds(int[] ids, int length) {
    if (length < 0 || length > ids.length) {
      throw new IllegalArgumentException("length " + length + " outside 0.." + ids.length);
    }
    for (int id : ids) {
      if (id < 0) {
        throw new IllegalArgumentException("negative token id " + id);
      }
    }
    this.ids = ids.clone();
    this.length = length;
  }

  public int[] ids() {
    return ids.clone();
  }

  public int length() {
    return length;
  }

  public int size() {
    return ids.length;
  }

  public int get(int i) {
    return ids[i];
  }

  public TokenIds padTo(int size, int padId) {
    if (size < ids.length) {
      throw new IllegalArgumentException("cannot pad " + ids.length + " tokens to " + size);
    }
    int[] out = Arrays.copyOf(ids, size);
    Arrays.fill(out, ids.length, size, padId);
    return new TokenIds(out, length);
  }

  /** The first {@code size - 1} tokens followed by the last one (keeps an end token). */
  public TokenIds truncateKeepingLast(int size) {
    if (size >= length) {
      return this;
    }
    if (size < 1) {
      throw new IllegalArgumentException("cannot truncate to " + size);
    }
    int[] out = Arrays.copyOf(ids, size);
    out[size - 1] = ids[length - 1];
    return new TokenIds(out, size);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenIds t && t.length == length && Arrays.equals(t.ids, ids);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ids) * 31 + length;
  }

  @Override
  public String toString() {
    return Arrays.toString(Arrays.copyOf(ids, length));
  }
}
