package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Per-step random tensors inside a training graph from the trainer's step seed
 * ({@link TrainingInputs#randomSeed}): stateless random ops, so a step draws the same values
 * whenever it is run, and a resumed run continues exactly. Each draw names a {@code stream}
 * (0, 1, 2, ...) so that draws of one step are independent of each other.
 */
public final class StepRandom {
  private final Ops tf;
  private final Operand<TInt64> seed;

  public StepRandom(Ops tf, Operand<TInt64> seed) {
    this.tf = tf;
    this.seed = seed;
  }

  private Operand<TInt64> streamSeed(int stream) {
    return tf.math.add(seed, tf.constant(new long[] {1_000_003L * stream, 0}));
  }

  /**
   * Standard normal values of the given (dynamic) shape. Behind a stop-gradient: the random ops
   * have no registered gradient, and a shape taken from a trained tensor would otherwise ask for one.
   */
  public Operand<TFloat32> normal(Operand<TInt32> shape, int stream) {
    return tf.stopGradient(tf.random.statelessRandomNormal(shape, streamSeed(stream)));
  }

  /** Uniform values in [0, 1), behind a stop-gradient. */
  public Operand<TFloat32> uniform(Operand<TInt32> shape, int stream) {
    return tf.stopGradient(tf.random.statelessRandomUniform(shape, streamSeed(stream)));
  }

  /** Uniform integers in [0, bound). */
  public Operand<TInt32> uniformInt(Operand<TInt32> shape, int bound, int stream) {
    return tf.random.statelessRandomUniformInt(shape, streamSeed(stream), tf.constant(0), tf.constant(bound));
  }

  /** The shape {@code [N]} of the leading axis of {@code x}, for per-example draws. */
  public Operand<TInt32> batchShape(Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
  }
}
