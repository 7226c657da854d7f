package dev.tessera.runtime.bench;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.UNet;

/**
 * The fixed shapes of the U-Net and GPT workloads: {@link #issue()} is what docs/benchmarks.md
 * defines and benchmarks/pytorch runs too; {@link #tiny()} keeps tests and smoke runs short.
 *
 * @param unet the U-Net (both U-Net workloads)
 * @param gptDim width of the GPT prior; with its layers and heads, overridden on the prior's default config
 */
public record WorkloadShapes(UNet.Config unet, int unetImageSize, int unetTrainBatch, int unetSampleBatch, int samplingSteps,
    int gptDim, int gptLayers, int gptHeads, int gptPrefix, int gptBatch) {

  /**
   * The performance issue's shapes. U-Net: 1x32x32, channels (32, 64, 128) at 32/16/8, two
   * residual blocks per level on both paths (each up block concatenates its mirror down block's
   * output), sinusoidal time features of 32 through an MLP to the 128-wide embedding added per
   * block, GroupNorm(8), one self-attention block (4 heads) in the middle at 8x8; train batch 32,
   * 50 DDIM steps at batch 16. GPT: 4 layers, width 256, 8 heads, a 16-position prefix, batch 16
   * (49 codes of 512 from the prior's default autoencoder, a 7x7 grid).
   */
  public static WorkloadShapes issue() {
    return new WorkloadShapes(new UNet.Config(1, new int[] {32, 64, 128}, 2, new int[0], 32, 0, 8, 4, 2), 32, 32, 16, 50,
        256, 4, 8, 16, 16);
  }

  /** Tiny shapes for tests: not the documented workloads. */
  public static WorkloadShapes tiny() {
    return new WorkloadShapes(new UNet.Config(1, new int[] {4, 8}, 1, new int[0], 8, 0, 2, 2, 1), 8, 2, 2, 3, 16, 1, 2, 2, 2);
  }

  /** The gpt prior's config with this GPT's width, depth, heads and prefix. */
  public ModelConfig gpt(ModelConfig defaults) {
    return defaults.with("dim", gptDim).with("layers", gptLayers).with("heads", gptHeads).with("prefix_length", gptPrefix);
  }
}
