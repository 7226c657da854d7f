package dev.tessera.plugins.evaluator;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Images -> the classifier's 128-d penultimate features, for FID and diversity. */
@Extension
public class FashionFeatureEncoder implements Encoder {
  @Override
  public String name() {
    return "fashion-features";
  }

  @Override
  public String description() {
    return "128-d features of the Fashion-MNIST classifier (for FID)";
  }

  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    return FashionNetwork.features(scope, images);
  }
}
