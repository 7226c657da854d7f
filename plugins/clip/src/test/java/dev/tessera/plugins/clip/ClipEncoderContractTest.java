package dev.tessera.plugins.clip;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.testing.EncoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Encoder contract on tiny CLIP towers: 8x8 images and 6-token prompts to 4-d embeddings, features per block. */
class ClipEncoderContractTest extends EncoderContract {
  @Override
  protected Encoder encoder() {
    return new ClipEncoder();
  }

  @Override
  protected ModelConfig config() {
    return ClipModelTest.tiny();
  }

  @Override
  protected TinyBatch images() {
    return TinyBatch.of(new long[] {2, 8, 8, 1}, new long[] {2, 4});
  }

  @Override
  protected TinyBatch text() {
    return TinyBatch.of(new long[] {2, 6}, new long[] {2, 4});
  }

  @Override
  protected int tokenBound() {
    return 49408; // CLIP ids; those outside the tiny vocabulary share the "unknown" row
  }

  @Override
  protected long textStateWidth() {
    return ClipModelTest.tiny().getPositiveInt("text_width", 0);
  }

  @Override
  protected boolean givesImageFeatures() {
    return true;
  }
}
