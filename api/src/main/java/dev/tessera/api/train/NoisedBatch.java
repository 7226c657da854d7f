package dev.tessera.api.train;

import dev.tessera.api.sampling.ForwardProcess;
import dev.tessera.api.sampling.NoiseSchedule;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * One training step's noising for the models that learn on noised samples (diffusion decoders and
 * priors, the noisy classifier): a timestep per example (random stream 0), Gaussian noise (stream 1)
 * and x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise. Further draws of the step (condition
 * dropout) use other streams of the same {@link StepRandom}.
 *
 * @param batch the batch size as a shape [N], for more per-example draws
 * @param timesteps [N] integer timesteps in [0, T)
 */
public record NoisedBatch(Operand<TInt32> batch, Operand<TInt32> timesteps, Operand<TFloat32> noise, Operand<TFloat32> noisy) {
  /**
   * @param x0 the clean samples in the model's space, batch first
   * @param rank rank of {@code x0} (4 for images, 2 for embeddings)
   */
  public static NoisedBatch draw(Ops tf, StepRandom random, NoiseSchedule schedule, Operand<TFloat32> x0, int rank) {
    Operand<TInt32> n = random.batchShape(x0);
    Operand<TInt32> t = random.uniformInt(n, schedule.steps(), 0);
    Operand<TFloat32> noise = random.normal(tf.shape(x0), 1);
    return new NoisedBatch(n, t, noise, ForwardProcess.addNoise(tf, schedule, x0, noise, t, rank));
  }

  /** The timesteps as floats, as time embeddings take them. */
  public Operand<TFloat32> timestepsAsFloats(Ops tf) {
    return tf.dtypes.cast(timesteps, TFloat32.class);
  }
}
