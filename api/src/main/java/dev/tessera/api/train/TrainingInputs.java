package dev.tessera.api.train;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The placeholders the trainer feeds each step.
 *
 * @param images [N, H, W, C] in [0, 1]
 * @param labels [N] class ids (-1 when the data set has none)
 * @param tokens [N, L] token ids of one caption per image, padded, when the model reads text
 *     ({@link dev.tessera.api.spi.TrainableModel#textLength} > 0); null otherwise
 * @param randomSeed [2] int64, a fresh value every step that is a function of (seed, step) only:
 *     the seed of stateless random ops ({@code tf.random.statelessRandomNormal(shape, randomSeed)}),
 *     so per-step noise (diffusion timesteps, condition dropout) is the same again after a resume;
 *     null when the caller feeds none
 * @param shard which part of each step's batch these inputs hold (0 in one process; task i of a
 *     cluster holds part i)
 * @param shards how many parts the batch is split into (1 in one process)
 */
public record TrainingInputs(Operand<TFloat32> images, Operand<TInt32> labels, Operand<TInt32> tokens, Operand<TInt64> randomSeed, int shard,
    int shards) {
  public TrainingInputs {
    if (shards < 1 || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " of " + shards);
    }
  }

  /** The whole batch, in one process. */
  public TrainingInputs(Operand<TFloat32> images, Operand<TInt32> labels, Operand<TInt32> tokens, Operand<TInt64> randomSeed) {
    this(images, labels, tokens, randomSeed, 0, 1);
  }

  public TrainingInputs(Operand<TFloat32> images, Operand<TInt32> labels, Operand<TInt32> tokens) {
    this(images, labels, tokens, null);
  }

  public TrainingInputs(Operand<TFloat32> images, Operand<TInt32> labels) {
    this(images, labels, null, null);
  }

  /** The per-step seed; fails clearly when the caller feeds none. */
  public Operand<TInt64> requireRandomSeed() {
    if (randomSeed == null) {
      throw new IllegalStateException("this model draws per-step noise: feed TrainingInputs.randomSeed");
    }
    return randomSeed;
  }

  /**
   * The per-step random draws of these inputs: each replica of a cluster draws the values one
   * process draws for its rows of the batch, so a cluster run trains what one process trains.
   */
  public StepRandom random(org.tensorflow.op.Ops tf) {
    return new StepRandom(tf, requireRandomSeed(), shard, shards);
  }

  /** The step this run is at (counted from 0), as a float scalar: element 1 of the per-step seed. */
  public Operand<TFloat32> step(org.tensorflow.op.Ops tf) {
    return tf.dtypes.cast(tf.gather(requireRandomSeed(), tf.constant(1), tf.constant(0)), TFloat32.class);
  }

  /** The seed of step {@code step} of a run seeded {@code seed}, as the trainer feeds it. */
  public static long[] stepSeed(long seed, long step) {
    return new long[] {seed, step};
  }
}
