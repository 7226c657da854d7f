package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.layers.Activations;
import dev.tessera.api.layers.Dense;
import dev.tessera.api.layers.LayerNorm;
import dev.tessera.api.layers.SinusoidalEmbedding;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The denoiser of a diffusion prior over embedding vectors (DALL-E 2's prior, as an MLP): the noisy
 * embedding, the sinusoidal timestep and the condition are each projected to the hidden width and
 * summed, then pre-norm residual MLP blocks, then a projection back to the embedding size
 * (the predicted noise).
 */
final class EmbeddingDenoiser {
  private final GraphScope scope;
  private final int dim;
  private final int hidden;
  private final int blocks;
  private final int conditionDim;

  /**
   * @param conditionDim size of the condition vector (0: unconditional)
   */
  EmbeddingDenoiser(GraphScope scope, int dim, int hidden, int blocks, int conditionDim) {
    this.scope = scope;
    this.dim = dim;
    this.hidden = hidden;
    this.blocks = blocks;
    this.conditionDim = conditionDim;
  }

  /**
   * @param x [N, dim] noisy embeddings
   * @param timesteps [N]
   * @param condition [N, conditionDim] or null when unconditional
   */
  Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> timesteps, Operand<TFloat32> condition) {
    Ops tf = scope.tf();
    Operand<TFloat32> h = new Dense(scope.child("in"), dim, hidden).apply(x);
    Operand<TFloat32> time = SinusoidalEmbedding.apply(tf, timesteps, hidden);
    h = tf.math.add(h, new Dense(scope.child("time"), hidden, hidden).apply(Activations.silu(tf, time)));
    if (conditionDim > 0) {
      h = tf.math.add(h, new Dense(scope.child("condition"), conditionDim, hidden).apply(condition));
    }
    for (int b = 0; b < blocks; b++) {
      GraphScope s = scope.child("block" + b);
      Operand<TFloat32> y = new LayerNorm(s.child("norm"), hidden).apply(h);
      y = Activations.silu(tf, new Dense(s.child("fc1"), hidden, 2L * hidden).apply(y));
      h = tf.math.add(h, new Dense(s.child("fc2"), 2L * hidden, hidden).apply(y));
    }
    Operand<TFloat32> y = Activations.silu(tf, new LayerNorm(scope.child("norm_out"), hidden).apply(h));
    return new Dense(scope.child("out"), hidden, dim).apply(y);
  }

  /** Forward FLOPs per example (matmuls only). */
  static long flops(int dim, int hidden, int blocks, int conditionDim) {
    long f = 2L * dim * hidden + 2L * hidden * hidden + 2L * conditionDim * hidden;
    f += blocks * (2L * hidden * 2L * hidden * 2);
    return f + 2L * hidden * dim;
  }
}
