package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.InputShapes;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.GroupNorm;
import dev.tessera.api.layers.SinusoidalEmbedding;
import dev.tessera.api.layers.UNetBlock;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A classifier of noisy samples x_t at timestep t, the network classifier guidance differentiates
 * (Dhariwal and Nichol 2021 use the U-Net's encoder half): a sinusoidal time embedding through an
 * MLP, a 3x3 convolution, then per level one time-conditioned residual block (the U-Net's
 * {@link UNetBlock}) and a strided convolution, group norm, SiLU, global average pooling and a
 * dense layer to class logits.
 */
final class NoisyClassifier {
  private NoisyClassifier() {}

  /**
   * @param noisy x_t, NHWC in [-1, 1]
   * @param timesteps [N] float
   * @return logits [N, classes]
   */
  static Operand<TFloat32> logits(GraphScope scope, NoisyClassifierConfig c, Operand<TFloat32> noisy, Operand<TFloat32> timesteps) {
    InputShapes.require(noisy, "noisy classifier input (image_size, channels)", -1, c.imageSize(), c.imageSize(), c.channels());
    Ops tf = scope.tf();
    long e = c.embedDim() * 4L;
    Operand<TFloat32> emb = SinusoidalEmbedding.apply(tf, timesteps, c.embedDim());
    emb = new Dense(scope.child("time_mlp1"), c.embedDim(), e).apply(emb);
    emb = new Dense(scope.child("time_mlp2"), e, e).apply(Activations.silu(tf, emb));
    int[] levels = c.levels();
    Operand<TFloat32> h = new Conv2d(scope.child("conv_in"), c.channels(), levels[0], 3).apply(noisy);
    long ch = levels[0];
    for (int level = 0; level < levels.length; level++) {
      h = new UNetBlock(scope.child("block" + level), ch, levels[level], e, c.groups()).apply(h, emb);
      ch = levels[level];
      if (level < levels.length - 1) {
        h = new Conv2d(scope.child("down" + level), ch, ch, 3, 2).apply(h);
      }
    }
    h = new GroupNorm(scope.child("norm_out"), ch, Math.min(c.groups(), ch)).applySilu(h);
    Operand<TFloat32> pooled = tf.math.mean(h, tf.constant(new int[] {1, 2}));
    return new Dense(scope.child("head"), ch, c.classes()).apply(pooled);
  }

  /** Forward FLOPs per image (convolutions and the head). */
  static long flops(NoisyClassifierConfig c) {
    long size = c.imageSize();
    long flops = Conv2d.flops(size, size, 3, c.channels(), c.levels()[0]);
    long ch = c.levels()[0];
    for (int level = 0; level < c.levels().length; level++) {
      flops += UNetBlock.flops(size, size, ch, c.levels()[level]);
      ch = c.levels()[level];
      if (level < c.levels().length - 1) {
        size /= 2;
        flops += Conv2d.flops(size, size, 3, ch, ch);
      }
    }
    return flops + 2L * ch * c.classes();
  }
}
