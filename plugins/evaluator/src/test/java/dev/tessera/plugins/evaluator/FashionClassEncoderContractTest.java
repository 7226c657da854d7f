package dev.tessera.plugins.evaluator;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.EncoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Encoder contract on the evaluator's classifier: 28x28 grey images (its only size) to 10 class probabilities. */
class FashionClassEncoderContractTest extends EncoderContract {
  @Override
  protected Encoder encoder() {
    return new FashionClassEncoder();
  }

  @Override
  protected ModelConfig config() {
    return ModelConfig.empty();
  }

  @Override
  protected TinyBatch images() {
    return TinyBatch.of(new long[] {2, 28, 28, 1}, new long[] {2, ClassifierNetwork.Spec.DEFAULT_CLASSES});
  }
}
