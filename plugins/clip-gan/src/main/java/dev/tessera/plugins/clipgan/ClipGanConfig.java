package dev.tessera.plugins.clipgan;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.FrozenEncoder;

/**
 * Hyper-parameters of CLIP+GAN.
 *
 * @param latentDim size of the noise z
 * @param generatorChannels the generator's width at full resolution (x2 and x4 below it)
 * @param discChannels the discriminator's width at full resolution (x2 and x4 below it)
 * @param conditionDim the CLIP embedding's size (from the nested CLIP config)
 * @param clipWeight weight of the CLIP loss 1 - cos(CLIP_image(G(z, t)), t) in the generator's loss
 * @param mismatchWeight weight of real images under a wrong caption as a third kind of "fake" in
 *     the discriminator's loss (Reed et al. 2016's matching-aware discriminator); 0 turns it off
 * @param emaDecay decay of the generator's weight average, which sampling uses
 * @param discStart steps before the discriminator starts training (0: from the start)
 */
record ClipGanConfig(int imageSize, int channels, int latentDim, int generatorChannels, int discChannels, int conditionDim, double clipWeight,
    double mismatchWeight, double emaDecay, long discStart) {
  /** Where the generator's weight average lives: the pipeline samples from it. */
  static final String AVERAGE_SCOPE = "generator_ema";

  static ModelConfig defaults() {
    return ModelConfig.empty().with("model", "clip-gan").with("scope", "gan").with("decoder", "clip-gan")
        .with("decoder_scope", "gan." + AVERAGE_SCOPE).with("image_size", 28).with("channels", 1).with("latent_dim", 64)
        .with("generator_channels", 32).with("disc_channels", 32).with("clip_weight", 1.0).with("mismatch_weight", 0.5)
        .with("ema_decay", 0.999).with("disc_start", 0).with("text_model", "clip").with("learning_rate", 2e-4).with("batch_size", 64)
        .with("adam_beta1", 0.5).with("adam_beta2", 0.999);
  }

  static ClipGanConfig from(ModelConfig c) {
    int size = c.getPositiveInt("image_size", 28);
    if (size % 4 != 0) {
      throw new TesseraException(c.source() + ": image_size must be divisible by 4 (two stride-2 layers), got " + size);
    }
    double clip = nonNegative(c, "clip_weight", 1.0);
    double mismatch = nonNegative(c, "mismatch_weight", 0.5);
    double decay = c.getDouble("ema_decay", 0.999);
    if (!(decay >= 0 && decay < 1)) {
      throw new TesseraException(c.source() + ": 'ema_decay' must be in [0, 1), got " + decay);
    }
    long start = c.getLong("disc_start", 0);
    if (start < 0) {
      throw new TesseraException(c.source() + ": 'disc_start' must be >= 0, got " + start);
    }
    return new ClipGanConfig(size, c.getPositiveInt("channels", 1), c.getPositiveInt("latent_dim", 64), c.getPositiveInt("generator_channels", 32),
        c.getPositiveInt("disc_channels", 32), FrozenEncoder.section(c).getPositiveInt("embed_dim", 64), clip, mismatch, decay, start);
  }

  private static double nonNegative(ModelConfig c, String key, double fallback) {
    double v = c.getDouble(key, fallback);
    if (!(v >= 0)) {
      throw new TesseraException(c.source() + ": '" + key + "' must be >= 0, got " + v);
    }
    return v;
  }

  int bottom() {
    return imageSize / 4;
  }
}
