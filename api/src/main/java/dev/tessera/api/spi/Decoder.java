package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Latents -> pixels. One-shot decoders (VQ decoders, GAN generators, VAE decoders) implement
 * {@link #decode}; iterative ones (diffusion decoders) implement {@link #denoise}, and a pipeline
 * runs a {@link dev.tessera.api.sampling.Scheduler} over it, one session run per step.
 * {@link #iterative()} says which of the two works; the other fails with
 * {@link UnsupportedOperationException}. Latents (or noisy images) whose last axis has another
 * size than the config asks for fail when the graph is built, with a
 * {@link dev.tessera.api.TesseraException} ({@link dev.tessera.api.graph.InputShapes}).
 * {@code dev.tessera.api.testing.DecoderContract} in the api's test-jar checks all of this.
 */
public interface Decoder extends Component {

  /** @return NHWC images, nominally in [0, 1] (clip before display) */
  default Operand<TFloat32> decode(GraphScope scope, ModelConfig config, Operand<TFloat32> latents) {
    throw new UnsupportedOperationException("decoder '" + name() + "' is iterative: run a scheduler over denoise()");
  }

  /** True for decoders that denoise step by step instead of decoding in one pass. */
  default boolean iterative() {
    return false;
  }

  /**
   * The model output of one denoising step (the predicted noise of an epsilon-prediction model).
   *
   * @param noisy [N, H, W, C] samples at noise level {@code timesteps}, in the model's value range ([-1, 1] for images)
   * @param timesteps [N] float timesteps in [0, T)
   * @param condition [N, D] condition vectors (zeros = unconditional), or null for an unconditional model
   */
  default Operand<TFloat32> denoise(GraphScope scope, ModelConfig config, Operand<TFloat32> noisy, Operand<TFloat32> timesteps,
      Operand<TFloat32> condition) {
    throw new UnsupportedOperationException("decoder '" + name() + "' decodes in one pass: call decode()");
  }
}
