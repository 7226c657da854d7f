package dev.tessera.plugins.evaluator;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/** Images -> an evaluator classifier's 128-d penultimate features [N, 128], for FID and diversity; sizes from the config. */
abstract class ClassifierFeatureEncoder implements Encoder {
  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    return ClassifierNetwork.features(scope, config, images);
  }
}
