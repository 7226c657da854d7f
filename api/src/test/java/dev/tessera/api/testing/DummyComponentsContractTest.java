package dev.tessera.api.testing;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Quantizer;
import org.junit.jupiter.api.Nested;

/** The test-jar's stand-in components keep the SPI contracts too, so tests built on them mean something. */
class DummyComponentsContractTest {
  @Nested
  class BlockEncoderContract extends EncoderContract {
    @Override
    protected Encoder encoder() {
      return new DummyAutoencoder.BlockEncoder();
    }

    @Override
    protected ModelConfig config() {
      return DummyAutoencoder.config();
    }

    @Override
    protected TinyBatch images() {
      return TinyBatch.of(new long[] {2, 8, 8, 1}, new long[] {2, 2, 2, 1});
    }

    @Override
    protected long[] wrongImageShape() {
      return null; // averages blocks of any channel count
    }
  }

  @Nested
  class LevelQuantizerContract extends QuantizerContract {
    @Override
    protected Quantizer quantizer() {
      return new DummyAutoencoder.LevelQuantizer();
    }

    @Override
    protected ModelConfig config() {
      return DummyAutoencoder.config();
    }

    @Override
    protected long[] latentShape() {
      return new long[] {2, 2, 2, 1};
    }
  }

  @Nested
  class BlockDecoderContract extends DecoderContract {
    @Override
    protected Decoder decoder() {
      return new DummyAutoencoder.BlockDecoder();
    }

    @Override
    protected ModelConfig config() {
      return DummyAutoencoder.config();
    }

    @Override
    protected TinyBatch batch() {
      return TinyBatch.of(new long[] {2, 2, 2, 1}, new long[] {2, 8, 8, 1});
    }

    @Override
    protected long[] wrongInputShape() {
      return null; // paints blocks of any channel count
    }
  }

  @Nested
  class TextEncoderContract extends EncoderContract {
    @Override
    protected Encoder encoder() {
      return new DummyTextEncoder();
    }

    @Override
    protected ModelConfig config() {
      return DummyTextEncoder.config();
    }

    @Override
    protected TinyBatch images() {
      return TinyBatch.of(new long[] {2, 4, 4, 1}, new long[] {2, 4});
    }

    @Override
    protected TinyBatch text() {
      return TinyBatch.of(new long[] {2, 6}, new long[] {2, 4});
    }

    @Override
    protected int tokenBound() {
      return 64;
    }

    @Override
    protected long textStateWidth() {
      return 4;
    }

    @Override
    protected boolean givesImageFeatures() {
      return true;
    }

    @Override
    protected long[] wrongImageShape() {
      return null; // flattens images of any size
    }
  }
}
