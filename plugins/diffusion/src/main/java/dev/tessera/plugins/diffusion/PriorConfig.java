package dev.tessera.plugins.diffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.sampling.NoiseSchedule;
import dev.tessera.api.train.FrozenEncoder;

/**
 * Hyper-parameters of the DALL-E 2 style diffusion prior: text embedding -> image embedding.
 *
 * @param dim the CLIP embedding size (from the nested encoder config)
 * @param scale embeddings are unit vectors; they are multiplied by {@code scale} (default sqrt(dim))
 *     so that each component has about unit variance, like the noise
 */
record PriorConfig(int dim, int hidden, int blocks, int timesteps, String betaSchedule, double conditionDropout, float scale,
    ModelConfig encoder) {
  static ModelConfig defaults() {
    return ModelConfig.empty().with("model", "dalle2-prior").with("scope", "prior").with("prior", "dalle2-prior")
        .with("hidden", 512).with("blocks", 4).with("timesteps", 1000).with("beta_schedule", "cosine").with("condition_dropout", 0.1)
        .with("text_model", "clip").with("image_size", 28).with("channels", 1)
        .with("learning_rate", 3e-4).with("batch_size", 256);
  }

  static PriorConfig from(ModelConfig c) {
    ModelConfig encoder = FrozenEncoder.section(c);
    int dim = encoder.getPositiveInt("embed_dim", 64);
    double dropout = c.getDouble("condition_dropout", 0.1);
    if (dropout < 0 || dropout >= 1) {
      throw new TesseraException(c.source() + ": 'condition_dropout' must be in [0, 1), got " + dropout);
    }
    return new PriorConfig(dim, c.getPositiveInt("hidden", 512), c.getPositiveInt("blocks", 4), c.getPositiveInt("timesteps", 1000),
        c.getString("beta_schedule", "cosine"), dropout, (float) c.getDouble("embedding_scale", Math.sqrt(dim)), encoder);
  }

  NoiseSchedule schedule() {
    try {
      return NoiseSchedule.named(betaSchedule, timesteps);
    } catch (IllegalArgumentException e) {
      throw new TesseraException(e.getMessage());
    }
  }

  EmbeddingDenoiser denoiser(dev.tessera.api.graph.GraphScope modelScope) {
    return new EmbeddingDenoiser(modelScope.child("denoiser"), dim, hidden, blocks, dim);
  }
}
