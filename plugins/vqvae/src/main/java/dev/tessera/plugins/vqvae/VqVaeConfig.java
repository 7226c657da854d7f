package dev.tessera.plugins.vqvae;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;

/**
 * Hyper-parameters of the VQ-VAE, read from config.json. Defaults follow the paper's
 * (van den Oord et al. 2017) image model scaled to 28x28: two stride-2 convolutions give a 7x7
 * grid of 64-d latents, K = 512 codes, beta = 0.25, EMA codebook with decay 0.99.
 */
public record VqVaeConfig(
    int imageSize,
    int channels,
    int hiddenChannels,
    int residualChannels,
    int residualLayers,
    int codebookSize,
    int embeddingDim,
    double beta,
    boolean ema,
    double emaDecay,
    double dataVariance,
    double deadCodeThreshold,
    int deadCodeCheckEvery) {

  public static VqVaeConfig from(ModelConfig c) {
    VqVaeConfig v = new VqVaeConfig(
        c.getPositiveInt("image_size", 28),
        c.getPositiveInt("channels", 1),
        c.getPositiveInt("hidden_channels", 128),
        c.getPositiveInt("residual_channels", 32),
        c.getInt("residual_layers", 2),
        c.getPositiveInt("codebook_size", 512),
        c.getPositiveInt("embedding_dim", 64),
        c.getDouble("beta", 0.25),
        c.getBoolean("ema", true),
        c.getDouble("ema_decay", 0.99),
        c.getDouble("data_variance", 0.125),
        c.getDouble("dead_code_threshold", 0.03),
        c.getInt("dead_code_check_every", 100));
    if (v.imageSize % 4 != 0) {
      throw new TesseraException(c.source() + ": image_size must be a multiple of 4 (two stride-2 convolutions), got " + v.imageSize);
    }
    if (v.hiddenChannels % 2 != 0) {
      throw new TesseraException(c.source() + ": hidden_channels must be even, got " + v.hiddenChannels);
    }
    if (v.emaDecay <= 0 || v.emaDecay >= 1) {
      throw new TesseraException(c.source() + ": ema_decay must be in (0, 1), got " + v.emaDecay);
    }
    return v;
  }

  /** Side of the code grid. */
  public int gridSize() {
    return imageSize / 4;
  }

  public static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "vqvae")
        .with("scope", "vqvae")
        .with("encoder", "vqvae")
        .with("quantizer", "vector-quantizer")
        .with("decoder", "vqvae")
        .with("image_size", 28)
        .with("channels", 1)
        .with("hidden_channels", 128)
        .with("residual_channels", 32)
        .with("residual_layers", 2)
        .with("codebook_size", 512)
        .with("embedding_dim", 64)
        .with("beta", 0.25)
        .with("ema", true)
        .with("ema_decay", 0.99)
        .with("data_variance", 0.125)
        .with("dead_code_threshold", 0.03)
        .with("dead_code_check_every", 100)
        .with("learning_rate", 3e-4)
        .with("batch_size", 32);
  }
}
