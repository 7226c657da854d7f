package dev.tessera.plugins.latentdiffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.sampling.NoiseSchedule;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.train.NestedModel;

/**
 * The hyper-parameters of a latent diffusion model, from its config.json: the frozen autoencoder
 * whose latents it denoises (nested under "autoencoder", from "autoencoder_model": a KL autoencoder
 * or a VQ one such as vqgan)
 * and the frozen CLIP whose text it reads (under "text_encoder", from "text_model", default clip),
 * the U-Net, the noise schedule and the condition dropout.
 *
 * @param firstStage the frozen autoencoder (its config nested under "autoencoder")
 * @param grid side of the autoencoder's latent grid (its image_size over its downsampling)
 * @param latentChannels the latents' channels (a KL autoencoder's z_channels, a VQ one's embedding_dim)
 * @param paddedGrid the grid padded (at the bottom and right) to a size the U-Net can halve at every level
 *
 * <p>The default U-Net (32, 64 and 128 channels at 8, 4 and 2 latent pixels, one block per level,
 * self- and cross-attention at 2x2 and in the middle) was chosen by its sampling time: at 50 DDIM
 * steps with guidance, 0.046 s per image where clip-diffusion takes 0.199 (the issue asks for a
 * quarter); 64/128 channels at 8/4 took 0.091, with a second block per level 0.127 (docs/model-cards/latent-diffusion.md).
 */
record LatentDiffusionConfig(FirstStage firstStage, ModelConfig encoder, int grid, int latentChannels, int paddedGrid, UNet.Config unet,
    int timesteps, String betaSchedule, double conditionDropout) {

  /** The autoencoder a latent diffusion model is built on: this plugin's KL autoencoder by default (vqgan works too). */
  static final NestedModel AUTOENCODER = new NestedModel(FrozenAutoencoder.KEY, "autoencoder_model", "kl-autoencoder", "autoencoder");

  static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "latent-diffusion").with("scope", "latent_diffusion")
        .with("autoencoder_model", "kl-autoencoder").with("text_model", "clip")
        .with("unet_channels", new int[] {32, 64, 128}).with("blocks_per_level", 1).with("attention_levels", new int[] {2})
        .with("embed_dim", 64).with("groups", 8).with("heads", 4)
        .with("timesteps", 1000).with("beta_schedule", "cosine")
        .with("condition_dropout", 0.1).with("ema_decay", 0.0)
        .with("learning_rate", 2e-4).with("batch_size", 64);
  }

  static LatentDiffusionConfig from(ModelConfig c) {
    ModelConfig ae = AUTOENCODER.section(c);
    ModelConfig encoder = FrozenEncoder.CLIP.section(c);
    FirstStage first = new FirstStage(ae);
    int grid = first.grid();
    int channels = first.channels();
    int[] levels = c.getIntArray("unet_channels", new int[] {32, 64, 128});
    if (levels.length == 0 || java.util.Arrays.stream(levels).anyMatch(l -> l == 0)) {
      throw new TesseraException(c.source() + ": 'unet_channels' must list one positive channel count per level");
    }
    int reduction = 1 << (levels.length - 1);
    int padded = (grid + reduction - 1) / reduction * reduction;
    double dropout = c.getDouble("condition_dropout", 0.1);
    if (dropout < 0 || dropout >= 1) {
      throw new TesseraException(c.source() + ": 'condition_dropout' must be in [0, 1), got " + dropout);
    }
    int textWidth = encoder.getPositiveInt("text_width", 0);
    int textLength = encoder.getPositiveInt("text_length", 0);
    UNet.Config unet = new UNet.Config(channels, levels, c.getPositiveInt("blocks_per_level", 1), c.getIntArray("attention_levels", new int[] {2}),
        c.getPositiveInt("embed_dim", 64), encoder.getPositiveInt("embed_dim", 0), c.getPositiveInt("groups", 8), c.getPositiveInt("heads", 4),
        c.getPositiveInt("blocks_per_level", 1)).withContext(textWidth, textLength);
    for (int level : unet.attentionLevels()) {
      if (level < 0 || level >= levels.length) {
        throw new TesseraException(c.source() + ": attention_levels must be in 0.." + (levels.length - 1) + ", got " + level);
      }
    }
    return new LatentDiffusionConfig(first, encoder, grid, channels, padded, unet, c.getPositiveInt("timesteps", 1000),
        c.getString("beta_schedule", "cosine"), dropout);
  }

  NoiseSchedule schedule() {
    try {
      return NoiseSchedule.named(betaSchedule, timesteps);
    } catch (IllegalArgumentException e) {
      throw new TesseraException(e.getMessage());
    }
  }

}
