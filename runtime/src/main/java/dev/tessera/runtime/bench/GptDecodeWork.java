package dev.tessera.runtime.bench;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;

/**
 * The analytic work of sampling one code grid with the GPT prior (2 x multiply-adds of its
 * matmuls). With the key/value cache: one pass over the P prefix positions, then one position per
 * code, each attending over the positions so far. Without it, every code is one teacher-forced
 * pass over the whole sequence (P + N - 1 positions, full attention products), which is the
 * model's own forward count ({@code TrainableModel.forwardFlopsPerExample}).
 *
 * @param textDim width of the condition embedding projected to the prefix
 */
public record GptDecodeWork(int layers, long dim, int mlpRatio, int prefix, int codes, int vocabulary, int textDim) {
  /** From a gpt config with its nested text-encoder and autoencoder sections resolved. */
  public static GptDecodeWork of(ModelConfig config) {
    ModelConfig ae = FrozenAutoencoder.MODEL.section(config);
    int grid = FrozenAutoencoder.gridSize(ae);
    return new GptDecodeWork(config.getPositiveInt("layers", 6), config.getPositiveInt("dim", 128), config.getPositiveInt("mlp_ratio", 4),
        config.getPositiveInt("prefix_length", 16), grid * grid, FrozenAutoencoder.codebookSize(ae),
        FrozenEncoder.section(config).getPositiveInt("embed_dim", 64));
  }

  /** Projections (q, k, v, out) and the MLP of one position in one layer. */
  private long perPosition() {
    return 8 * dim * dim + 4L * mlpRatio * dim * dim;
  }

  /** Attention products of one query over {@code keys} positions in one layer. */
  private long attention(long keys) {
    return 4 * keys * dim;
  }

  /** FLOPs of one sequence decoded with the cache. */
  public long cachedFlops() {
    long head = 2 * dim * vocabulary;
    long f = 2L * textDim * prefix * dim + head;
    for (int p = 0; p < prefix; p++) {
      f += layers * (perPosition() + attention(p + 1));
    }
    for (int j = 1; j < codes; j++) {
      int position = prefix + j - 1;
      f += layers * (perPosition() + attention(position + 1)) + head;
    }
    return f;
  }

  /** FLOPs of one sequence decoded without the cache: one forward pass of {@code forward} FLOPs per code. */
  public long uncachedFlops(long forward) {
    return codes * forward;
  }
}
