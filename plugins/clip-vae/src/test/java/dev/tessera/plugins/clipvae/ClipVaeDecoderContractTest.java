package dev.tessera.plugins.clipvae;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.testing.DecoderContract;
import dev.tessera.api.testing.TinyBatch;

/** The Decoder contract on the tiny CLIP+VAE decoder: [z (3), CLIP embedding (4)] to 8x8 images. */
class ClipVaeDecoderContractTest extends DecoderContract {
  @Override
  protected Decoder decoder() {
    return new ClipVaeDecoder();
  }

  @Override
  protected ModelConfig config() {
    return ClipVaeModelTest.tiny();
  }

  @Override
  protected TinyBatch batch() {
    return TinyBatch.of(new long[] {2, 7}, new long[] {2, 8, 8, 1});
  }
}
