package dev.tessera.api.spi;

import dev.tessera.api.types.TokenIds;
import java.util.ArrayList;
import java.util.List;

/**
 * Text -> token ids and back (CLIP byte-level BPE). Host-side: no graph involved. Ids are in
 * [0, {@link #vocabularySize}); the same text always gives the same ids, and encoding the decoded
 * text gives them again. {@code dev.tessera.api.testing.TokenizerContract} in the api's test-jar
 * checks this.
 */
public interface Tokenizer extends Component {

  /** Token ids of the text, including any start/end tokens the tokenizer uses. */
  TokenIds encode(String text);

  String decode(TokenIds ids);

  int vocabularySize();

  /** Longest sequence a model conditioned on this tokenizer accepts. */
  int contextLength();

  /** Id used to pad batches. */
  default int padId() {
    return 0;
  }

  /**
   * Encodes a batch padded to {@link #contextLength()}. A text longer than the context is an error
   * unless {@code truncate}, which keeps the first tokens and ends with the last id of the encoding
   * (the end token).
   */
  default List<TokenIds> encodeBatch(List<String> texts, boolean truncate) {
    List<TokenIds> out = new ArrayList<>();
    for (String t : texts) {
      TokenIds ids = encode(t);
      if (ids.length() > contextLength()) {
        if (!truncate) {
          throw new IllegalArgumentException(
              "prompt is " + ids.length() + " tokens, longer than the context of " + contextLength()
                  + ": shorten it or ask for truncation");
        }
        ids = ids.truncateKeepingLast(contextLength());
      }
      out.add(ids.padTo(contextLength(), padId()));
    }
    return out;
  }
}
