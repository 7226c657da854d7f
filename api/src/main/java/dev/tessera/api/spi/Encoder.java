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
   * The token ids the text tower built from {@code config} has an embedding of its own for; ids
   * outside it share one "unknown" row (a model trained on a small caption vocabulary). Pipelines
   * warn about prompt words made of such ids ({@link dev.tessera.api.pipeline.VocabularyCheck}).
   * Every id by default.
   */
  default java.util.function.IntPredicate knownTokens(ModelConfig config) {
    return id -> true;
  }
}
