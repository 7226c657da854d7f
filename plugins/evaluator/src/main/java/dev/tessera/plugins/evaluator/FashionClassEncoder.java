package dev.tessera.plugins.evaluator;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Images -> the classifier's class probabilities (10), for conditional accuracy. */
@Extension
public class FashionClassEncoder implements Encoder {
  @Override
  public String name() {
    return "fashion-classifier";
  }

  @Override
  public String description() {
    return "Fashion-MNIST class probabilities of the evaluator's classifier";
  }

  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    return scope.tf().nn.softmax(FashionNetwork.logits(scope, FashionNetwork.features(scope, images)));
  }
}
