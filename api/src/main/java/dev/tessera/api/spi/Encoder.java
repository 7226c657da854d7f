package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Image -> latent (a VQ encoder) or text/image -> embedding (a CLIP tower). Builds into the
 * scope it is given, so its output can be differentiated together with other components.
 * An encoder implements the modalities it supports; the others fail clearly
 * ({@link UnsupportedOperationException}). Images with another number of channels than the config
 * asks for fail when the graph is built, with a {@link dev.tessera.api.TesseraException}
 * ({@link dev.tessera.api.graph.InputShapes}). {@code dev.tessera.api.testing.EncoderContract} in the
 * api's test-jar checks all of this.
 */
public interface Encoder extends Component {

  /** @param images NHWC float images in [0, 1] */
  default Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    throw new UnsupportedOperationException("encoder '" + name() + "' does not encode images");
  }

  /**
   * Feature maps of the image tower at several depths ([N, ..., C] each, channels last), for
   * perceptual losses in the manner of LPIPS. Encoders that cannot give them need not.
   */
  default java.util.List<Operand<TFloat32>> imageFeatures(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    throw new UnsupportedOperationException("encoder '" + name() + "' gives no intermediate image features");
  }

  /** @param tokens [N, context] token ids */
  default Operand<TFloat32> encodeText(GraphScope scope, ModelConfig config, Operand<TInt32> tokens) {
    throw new UnsupportedOperationException("encoder '" + name() + "' does not encode text");
  }

  /**
   * A prompt batch through the text tower once: its per-token states and its pooled embedding.
   *
   * @param states [N, context, W] the tower's last hidden states, one per token position (what a
   *     latent diffusion U-Net's cross-attention reads)
   * @param mask [N, context] 1 for the positions up to and including the end token, 0 for the padding after it
   * @param embedding [N, E] what {@link #encodeText} returns for the same tokens
   */
  record TextStates(Operand<TFloat32> states, Operand<TFloat32> mask, Operand<TFloat32> embedding) {}

  /**
   * The text tower's {@link TextStates}, built under the same variable names as {@link #encodeText}
   * (so the same weights load); build one or the other for a scope, not both. Encoders that cannot
   * give per-token states need not.
   *
   * @param tokens [N, context] token ids
   */
  default TextStates encodeTextStates(GraphScope scope, ModelConfig config, Operand<TInt32> tokens) {
    throw new UnsupportedOperationException("encoder '" + name() + "' gives no per-token text states");
  }

  /**
   * The token ids the text tower built from {@code config} has an embedding of its own for; ids
   * outside it share one "unknown" row (a model trained on a small caption vocabulary). Pipelines
   * warn about prompt words made of such ids ({@link dev.tessera.api.pipeline.VocabularyCheck}).
   * Every id by default.
   */
  default java.util.function.IntPredicate knownTokens(ModelConfig config) {
    return id -> true;
  }
}
