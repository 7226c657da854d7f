package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Latents;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Conditioning (text, embedding, class) -> latents, codes or embeddings: an autoregressive
 * transformer over codes, a diffusion prior, the Gaussian of a GAN or VAE. Sampling is a Java loop
 * over session runs (TF Java 1.1.0 cannot differentiate graph while-loops), so a prior first
 * builds its graph and then samples with the session. {@code dev.tessera.api.testing.PriorContract}
 * in the api's test-jar checks what every prior must do.
 */
public interface Prior extends Component {

  Sampler build(GraphScope scope, ModelConfig config);

  /** A built prior. */
  interface Sampler {
    /**
     * Draws {@code count} latents; the same options (seed included) draw the same latents.
     *
     * @throws dev.tessera.api.TesseraException when the condition lacks what the prior reads (a text
     *     embedding of the right size) or {@code count} is below 1
     */
    Latents sample(Session session, Condition condition, int count, SamplingOptions options);
  }

  /**
   * A prior over code grids that can also score grids inside a graph: how likely it finds the codes
   * a search over them (vqgan-clip's) arrived at. Optional: a prior implements it besides
   * {@link Prior}; {@code PriorContract} checks it against the prior's own sampling.
   */
  interface CodeScorer {
    /**
     * Builds under {@code root}, with the variables {@link Prior#build} makes under the same root, the
     * log-probabilities [B, N, K] of each of the N codes of every grid given the text embedding
     * [B, E] and the codes before it (teacher forcing on {@code codes} [B, N], raster order; the
     * last code is read by no position). Each position's K values are normalised (log-softmax).
     */
    Operand<TFloat32> logProbabilities(GraphScope root, ModelConfig config, Operand<TFloat32> text, Operand<TInt32> codes);
  }

  /**
   * Options every sampler understands; samplers ignore those that do not apply (an autoregressive
   * prior reads temperature, top-k and top-p; a diffusion prior the scheduler, steps and guidance).
   *
   * @param schedulers where a scheduler a plugin brings is found by name (null: built-in ones only)
   */
  record SamplingOptions(long seed, double temperature, int topK, double topP, String scheduler, int steps, float guidanceScale,
      ComponentLookup schedulers) {
    public static SamplingOptions seeded(long seed) {
      return new SamplingOptions(seed, 1.0, 0, 1.0, "ddim", 50, 1f, null);
    }

    public SamplingOptions withDiffusion(String schedulerName, int samplingSteps, float scale) {
      return new SamplingOptions(seed, temperature, topK, topP, schedulerName, samplingSteps, scale, schedulers);
    }

    /** Classifier-free guidance only (a prior that samples tokens, not by diffusion steps). */
    public SamplingOptions withGuidance(float scale) {
      return new SamplingOptions(seed, temperature, topK, topP, scheduler, steps, scale, schedulers);
    }

    public SamplingOptions withTokens(double t, int k, double p) {
      return new SamplingOptions(seed, t, k, p, scheduler, steps, guidanceScale, schedulers);
    }

    /** Schedulers that plugins bring become usable by name. */
    public SamplingOptions withSchedulers(ComponentLookup lookup) {
      return new SamplingOptions(seed, temperature, topK, topP, scheduler, steps, guidanceScale, lookup);
    }
  }
}
