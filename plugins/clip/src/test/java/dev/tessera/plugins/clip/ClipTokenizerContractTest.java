package dev.tessera.plugins.clip;

import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.testing.TokenizerContract;

/** The Tokenizer contract on OpenAI's BPE (the shipped merges). */
class ClipTokenizerContractTest extends TokenizerContract {
  @Override
  protected Tokenizer tokenizer() {
    return new ClipTokenizer();
  }
}
