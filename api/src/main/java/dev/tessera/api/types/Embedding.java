package dev.tessera.api.types;

/** A batch of embedding vectors [count, dim] (CLIP text or image embeddings). */
public record Embedding(int count, int dim, float[] values) {
  public Embedding {
    if (count < 0 || dim <= 0 || values.length != (long) count * dim) {
      throw new IllegalArgumentException(
          "embedding [" + count + ", " + dim + "] needs " + ((long) count * dim) + " values, got " + values.length);
    }
  }

  public float[] row(int i) {
    float[] r = new float[dim];
    System.arraycopy(values, i * dim, r, 0, dim);
    return r;
  }
}
