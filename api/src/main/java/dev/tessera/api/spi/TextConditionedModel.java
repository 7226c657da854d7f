package dev.tessera.api.spi;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.FrozenEncoder;

/**
 * A trainable model conditioned on the frozen CLIP text tower of the clip plugin: its config nests
 * CLIP's under "text_encoder" when training starts, and the trainer feeds captions in CLIP's
 * tokenizer at CLIP's text length (see {@link FrozenEncoder}). Implement this instead of
 * {@link TrainableModel} to get those three methods.
 */
public interface TextConditionedModel extends TrainableModel {
  @Override
  default ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    return FrozenEncoder.resolve(config, components);
  }

  @Override
  default String tokenizer(ModelConfig config) {
    return FrozenEncoder.tokenizer(config);
  }

  @Override
  default int textLength(ModelConfig config) {
    return FrozenEncoder.textLength(config);
  }
}
