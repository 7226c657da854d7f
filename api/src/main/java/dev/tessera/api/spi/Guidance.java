package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.types.Condition;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Steers sampling toward the condition. A guidance builds a differentiable score per image
 * (higher is a better match, shape [N]); samplers add {@code scale * d score / d x} to their
 * update (CLIP guidance of the predicted clean image; classifier guidance of the noisy sample,
 * see {@link #scoresNoisySamples}). Guidances that combine model outputs instead
 * (classifier-free guidance) override {@link #combine}.
 *
 * <p>Fed randomness: a score that draws random numbers (cutouts, noise) draws them through
 * PlaceholderWithDefault ops whose names start with {@code random_uniform} (values in [0, 1)) or
 * {@code random_normal} (standard normal), with the random op as the default. Op-seeded random
 * ops do not repeat across runs of a program; a caller that must (a seed gives the same images)
 * feeds those placeholders from its own seeded generator
 * ({@link dev.tessera.api.sampling.FedRandomness}). With them fed, the same images score the same.
 *
 * <p>A score asked for a condition it cannot use (a text guidance given no prompt) fails with a
 * {@link dev.tessera.api.TesseraException}. {@code dev.tessera.api.testing.GuidanceContract} in the
 * api's test-jar checks all of this.
 */
public interface Guidance extends Component {

  /** @param images NHWC in [0, 1] */
  default Operand<TFloat32> score(GraphScope scope, ModelConfig config, Operand<TFloat32> images, Condition condition) {
    throw new UnsupportedOperationException("guidance '" + name() + "' has no score; it combines predictions");
  }

  /**
   * True for a guidance whose score is of noisy samples at their timestep (a classifier trained on
   * noised images, Dhariwal and Nichol 2021): samplers then call {@link #noisyScore} with the
   * current sample x_t and add {@code scale * sqrt(1 - abar_t) * d score / d x_t} to the
   * noise prediction's push, instead of scoring the predicted clean image.
   */
  default boolean scoresNoisySamples() {
    return false;
  }

  /**
   * The score of noisy samples, for guidances that {@link #scoresNoisySamples}.
   *
   * @param noisy x_t, NHWC, in the diffusion model's [-1, 1] space
   * @param timesteps [N] float timesteps of the samples, in [0, T)
   * @return [N], higher is a better match (for a classifier: log p(class | x_t, t))
   */
  default Operand<TFloat32> noisyScore(GraphScope scope, ModelConfig config, Operand<TFloat32> noisy, Operand<TFloat32> timesteps,
      Condition condition) {
    throw new UnsupportedOperationException("guidance '" + name() + "' scores clean images, not noisy samples");
  }

  /**
   * Combines conditional and unconditional predictions; by default returns the conditional one.
   * At scale 1 the result is the conditional prediction (pipelines then skip the unconditional
   * half), and two equal predictions combine to themselves at any scale.
   */
  default Operand<TFloat32> combine(GraphScope scope, Operand<TFloat32> conditional, Operand<TFloat32> unconditional, float scale) {
    return conditional;
  }

  default float defaultScale() {
    return 1f;
  }
}
