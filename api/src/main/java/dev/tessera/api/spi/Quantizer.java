package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Continuous latents -> codebook indices + quantized vectors + losses (VQ-VAE, VQGAN). Codes are in
 * [0, {@link #codebookSize}); {@link #embed} of the codes {@link #quantize} picked gives the
 * quantized vectors; gradients pass straight through the quantized vectors to the latents.
 * Latents whose last axis is not the codebook's vector size fail when the graph is built, with a
 * {@link dev.tessera.api.TesseraException}. {@code dev.tessera.api.testing.QuantizerContract} in
 * the api's test-jar checks all of this.
 */
public interface Quantizer extends Component {

  /** @param latents [..., D] */
  Quantization quantize(GraphScope scope, ModelConfig config, Operand<TFloat32> latents);

  /** Code indices -> their vectors, [...] -> [..., D]: decodes codes sampled by a prior. */
  Operand<TFloat32> embed(GraphScope scope, ModelConfig config, Operand<TInt32> codes);

  /** Number of codes. */
  int codebookSize(ModelConfig config);
}
