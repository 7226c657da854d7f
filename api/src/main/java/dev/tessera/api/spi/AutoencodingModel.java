package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A trainable model that is an autoencoder whose round trip is not simply its config's "encoder"
 * -> ("quantizer") -> "decoder" (a KL-regularised one decodes the means of what its encoder gives).
 * {@code tessera reconstruct} asks such a model for the round trip instead of chaining the named
 * components; the variables must be built under the names the model trains them with, so its
 * weights load.
 */
public interface AutoencodingModel extends TrainableModel {
  /**
   * Images [N, S, S, C] in [0, 1] -> reconstructions of the same shape (not yet clipped), built
   * under {@code root} from the model's saved {@code config}.
   */
  Operand<TFloat32> reconstruct(GraphScope root, ModelConfig config, ComponentLookup components, Operand<TFloat32> images);
}
