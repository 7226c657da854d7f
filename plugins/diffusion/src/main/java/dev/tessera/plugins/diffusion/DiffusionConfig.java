package dev.tessera.plugins.diffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.sampling.NoiseSchedule;
import dev.tessera.api.train.FrozenEncoder;

/**
 * The hyper-parameters of a diffusion decoder, read from its config.json.
 *
 * @param condition what the U-Net is conditioned on: "text" (the CLIP text embedding of the
 *     caption), "image" (the CLIP image embedding of the image itself, the DALL-E 2 decoder) or "none"
 * @param conditionDropout share of training examples whose condition is replaced by zeros, the
 *     "unconditional" input classifier-free guidance needs
 * @param textModel the trainable model whose shipped weights provide the frozen encoder (e.g. "clip");
 *     empty to leave the encoder as initialised (tests)
 * @param encoder the encoder's config, nested under "text_encoder" (copied from that model when
 *     training starts, so the saved config.json describes the whole model)
 */
record DiffusionConfig(int imageSize, int channels, UNet.Config unet, int timesteps, String betaSchedule, String condition,
    double conditionDropout, String textModel, ModelConfig encoder) {

  static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "clip-diffusion").with("scope", "diffusion").with("decoder", "clip-diffusion")
        .with("image_size", 28).with("channels", 1)
        .with("unet_channels", new int[] {32, 64, 64}).with("blocks_per_level", 1).with("attention_levels", new int[] {2})
        .with("embed_dim", 32).with("groups", 8).with("heads", 4)
        .with("timesteps", 1000).with("beta_schedule", "cosine")
        .with("condition", "text").with("condition_dropout", 0.1).with("text_model", "clip")
        .with("learning_rate", 2e-4).with("batch_size", 64);
  }

  static DiffusionConfig from(ModelConfig c) {
    String condition = c.getString("condition", "text");
    if (!condition.equals("text") && !condition.equals("image") && !condition.equals("none")) {
      throw new TesseraException(c.source() + ": 'condition' must be text, image or none, got '" + condition + "'");
    }
    ModelConfig encoder = c.section(FrozenEncoder.KEY);
    int conditionDim = 0;
    if (!condition.equals("none")) {
      if (encoder == null) {
        throw new TesseraException(c.source() + ": a " + condition + "-conditioned diffusion model needs the encoder's config under '"
            + FrozenEncoder.KEY + "' (filled in from model '" + c.getString("text_model", "clip") + "' when training starts)");
      }
      conditionDim = encoder.getPositiveInt("embed_dim", 0);
    }
    double dropout = c.getDouble("condition_dropout", 0.1);
    if (dropout < 0 || dropout >= 1) {
      throw new TesseraException(c.source() + ": 'condition_dropout' must be in [0, 1), got " + dropout);
    }
    int channels = c.getPositiveInt("channels", 1);
    int[] levels = c.getIntArray("unet_channels", new int[] {32, 64, 64});
    int imageSize = c.getPositiveInt("image_size", 28);
    int reduction = 1 << (levels.length - 1);
    if (imageSize % reduction != 0) {
      throw new TesseraException(c.source() + ": image_size " + imageSize + " must be divisible by " + reduction
          + " (the U-Net halves it " + (levels.length - 1) + " times)");
    }
    UNet.Config unet = new UNet.Config(channels, levels, c.getPositiveInt("blocks_per_level", 1),
        c.getIntArray("attention_levels", new int[0]), c.getPositiveInt("embed_dim", 32), conditionDim,
        c.getPositiveInt("groups", 8), c.getPositiveInt("heads", 4));
    return new DiffusionConfig(imageSize, channels, unet, c.getPositiveInt("timesteps", 1000), c.getString("beta_schedule", "cosine"),
        condition, dropout, c.getString("text_model", "clip"), encoder);
  }

  NoiseSchedule schedule() {
    try {
      return NoiseSchedule.named(betaSchedule, timesteps);
    } catch (IllegalArgumentException e) {
      throw new TesseraException(e.getMessage());
    }
  }
}
