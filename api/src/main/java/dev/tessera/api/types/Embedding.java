package dev.tessera.api.types;

/** A batch of embedding vectors [count, dim] (CLIP text or image embeddings). */
public record Embedding(int count, int dim, float[] values) {
  public Embedding {
    if (count < 0 || dim <= 0 || values.length != (long) count * dim) {
      throw new IllegalArgumentException(
          "embedding [" + count + ", " + dim + "] needs " + ((long) count * dim) + " values, got " + values.length);
    }
  }

  /** Dot product of row {@code i} with row {@code j} of {@code other} (cosine similarity for unit rows). */
  public float dot(int i, Embedding other, int j) {
    if (other.dim != dim) {
      throw new IllegalArgumentException("embedding sizes differ: " + dim + " vs " + other.dim);
    }
    float s = 0;
    for (int k = 0; k < dim; k++) {
      s += values[i * dim + k] * other.values[j * dim + k];
    }
    return s;
  }

  public float[] row(int i) {
    float[] r = new float[dim];
    System.arraycopy(values, i * dim, r, 0, dim);
    return r;
  }

  /**
   * The rows for {@code count} samples: this embedding's one row repeated, or its {@code count}
   * rows as they are; anything else is an error naming both counts.
   */
  public float[] rowsFor(int count) {
    if (this.count != 1 && this.count != count) {
      throw new IllegalArgumentException("an embedding of " + this.count + " rows conditions 1 or " + this.count + " samples, not " + count);
    }
    float[] rows = new float[count * dim];
    for (int i = 0; i < count; i++) {
      System.arraycopy(values, (this.count == 1 ? 0 : i) * dim, rows, i * dim, dim);
    }
    return rows;
  }
}
