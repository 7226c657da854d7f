package dev.tessera.api.pipeline;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;

/** The checks every text-conditioned pipeline makes on a prompt before it spends any compute. */
public final class PromptCheck {
  private PromptCheck() {}

  /**
   * Tokenizes the prompt and pads it to {@code length}.
   *
   * @throws TesseraException for an empty prompt or one longer than the model's text length
   */
  public static TokenIds tokens(Tokenizer tokenizer, String prompt, int length) {
    if (prompt == null || prompt.isBlank()) {
      throw new TesseraException("the prompt is empty: say what to draw, e.g. --prompt \"a photo of a sneaker\"");
    }
    TokenIds ids = tokenizer.encode(prompt);
    if (ids.length() > length) {
      throw new TesseraException("the prompt is " + ids.length() + " tokens (with start and end), longer than the model's text length of "
          + length + ": shorten it");
    }
    return ids.padTo(length, tokenizer.padId());
  }
}
