package dev.tessera.plugins.evaluator;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.EncoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Encoder contract on the Twemoji classifier's class-probability output at a tiny size from its config: 8x8 RGB images to the probabilities of the classes the config names. */
class TwemojiClassEncoderContractTest extends EncoderContract {
  @Override
  protected Encoder encoder() {
    return new TwemojiClassEncoder();
  }

  @Override
  protected ModelConfig config() {
    return TwemojiClassifierTest.TINY;
  }

  @Override
  protected TinyBatch images() {
    return TinyBatch.of(new long[] {2, 8, 8, 3}, new long[] {2, ClassifierNetwork.Spec.of(TwemojiClassifierTest.TINY).classes()});
  }
}
