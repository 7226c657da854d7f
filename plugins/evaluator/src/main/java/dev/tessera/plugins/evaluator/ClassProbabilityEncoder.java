package dev.tessera.plugins.evaluator;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Images -> an evaluator classifier's class probabilities [N, classes], for conditional accuracy; sizes from the config. */
abstract class ClassProbabilityEncoder implements Encoder {
  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    return scope.tf().nn.softmax(ClassifierNetwork.logits(scope, config, ClassifierNetwork.features(scope, config, images)));
  }
}
