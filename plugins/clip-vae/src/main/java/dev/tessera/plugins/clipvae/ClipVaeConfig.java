package dev.tessera.plugins.clipvae;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.FrozenEncoder;

/**
 * Hyper-parameters of the CLIP-conditioned VAE.
 *
 * @param conditioning how the CLIP embedding enters: "concat" (appended to the latent and to the
 *     encoder's features, then a dense layer) or "add" (projected and added)
 * @param klWeight the KL term's final weight (beta)
 * @param klAnnealSteps steps over which beta ramps linearly from 0 to klWeight
 */
record ClipVaeConfig(int imageSize, int channels, int hidden, int latentDim, int conditionDim, String conditioning, double klWeight,
    int klAnnealSteps) {
  static ModelConfig defaults() {
    return ModelConfig.empty().with("model", "clip-vae").with("scope", "vae").with("decoder", "clip-vae")
        .with("image_size", 28).with("channels", 1).with("hidden_channels", 32).with("latent_dim", 16).with("conditioning", "concat")
        .with("kl_weight", 2.0).with("kl_anneal_steps", 2000).with("text_model", "clip").with("learning_rate", 1e-3).with("batch_size", 128);
  }

  static ClipVaeConfig from(ModelConfig c) {
    int size = c.getPositiveInt("image_size", 28);
    if (size % 4 != 0) {
      throw new TesseraException(c.source() + ": image_size must be divisible by 4 (two stride-2 convolutions), got " + size);
    }
    String conditioning = c.getString("conditioning", "concat");
    if (!conditioning.equals("concat") && !conditioning.equals("add")) {
      throw new TesseraException(c.source() + ": 'conditioning' must be concat or add, got '" + conditioning + "'");
    }
    double kl = c.getDouble("kl_weight", 2.0);
    if (kl < 0) {
      throw new TesseraException(c.source() + ": 'kl_weight' must be >= 0, got " + kl);
    }
    return new ClipVaeConfig(size, c.getPositiveInt("channels", 1), c.getPositiveInt("hidden_channels", 32), c.getPositiveInt("latent_dim", 16),
        FrozenEncoder.section(c).getPositiveInt("embed_dim", 64), conditioning, kl, Math.max(0, c.getInt("kl_anneal_steps", 2000)));
  }

  int bottom() {
    return imageSize / 4;
  }
}
