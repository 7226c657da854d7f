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
 * (0, 1, 2, ...) so that draws of one step are independent of each other. Every draw is per
 * example: its leading axis is the batch. A replica holding part {@code shard} of {@code shards}
 * of the batch draws the whole batch's values and keeps its rows, so that it draws what one process
 * draws for those examples ({@link TrainingInputs#random}).
 */
public final class StepRandom {
  private final Ops tf;
  private final Operand<TInt64> seed;
  private final int shard;
  private final int shards;

  /** Draws for the whole batch (one process). */
  public StepRandom(Ops tf, Operand<TInt64> seed) {
    this(tf, seed, 0, 1);
  }

  /** Draws for part {@code shard} of {@code shards} equal parts of the batch. */
  public StepRandom(Ops tf, Operand<TInt64> seed, int shard, int shards) {
    if (shards < 1 || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " of " + shards);
    }
    this.tf = tf;
    this.seed = seed;
    this.shard = shard;
    this.shards = shards;
  }

  /** The shape of the whole batch's draw: the leading axis times the number of shards. */
  private Operand<TInt32> whole(Operand<TInt32> shape) {
    if (shards == 1) {
      return shape;
    }
    return tf.math.mul(shape, tf.concat(java.util.List.of(tf.constant(new int[] {shards}),
        tf.onesLike(tf.slice(shape, tf.constant(new int[] {1}), tf.constant(new int[] {-1})))), tf.constant(0)));
  }

  /** This shard's rows of a whole-batch draw of {@code shape} (this shard's shape). */
  private <T extends org.tensorflow.types.family.TType> Operand<T> rows(Operand<T> whole, Operand<TInt32> shape) {
    if (shards == 1) {
      return whole;
    }
    Operand<TInt32> n = tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TInt32> rest = tf.zerosLike(tf.slice(shape, tf.constant(new int[] {1}), tf.constant(new int[] {-1})));
    Operand<TInt32> begin = tf.concat(java.util.List.of(tf.math.mul(n, tf.constant(new int[] {shard})), rest), tf.constant(0));
    return tf.slice(whole, begin, shape);
  }

  private Operand<TInt64> streamSeed(int stream) {
    return tf.math.add(seed, tf.constant(new long[] {1_000_003L * stream, 0}));
  }

  /**
   * Standard normal values of the given (dynamic) shape. Behind a stop-gradient: the random ops
   * have no registered gradient, and a shape taken from a trained tensor would otherwise ask for one.
   */
  public Operand<TFloat32> normal(Operand<TInt32> shape, int stream) {
    return tf.stopGradient(rows(tf.random.statelessRandomNormal(whole(shape), streamSeed(stream)), shape));
  }

  /** Uniform values in [0, 1), behind a stop-gradient. */
  public Operand<TFloat32> uniform(Operand<TInt32> shape, int stream) {
    return tf.stopGradient(rows(tf.random.statelessRandomUniform(whole(shape), streamSeed(stream)), shape));
  }

  /** Uniform integers in [0, bound). */
  public Operand<TInt32> uniformInt(Operand<TInt32> shape, int bound, int stream) {
    return rows(tf.random.statelessRandomUniformInt(whole(shape), streamSeed(stream), tf.constant(0), tf.constant(bound)), shape);
  }

  /** The shape {@code [N]} of the leading axis of {@code x}, for per-example draws. */
  public Operand<TInt32> batchShape(Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
  }
}
