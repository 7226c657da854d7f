package dev.tessera.api.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Tokenizer} must do: a valid name, positive sizes and a pad id in the
 * vocabulary, ids in the vocabulary, the same ids for the same text (from a new instance too), the
 * same ids again after decoding, batches padded to the context length, and a text longer than the
 * context refused unless truncated, keeping its last id (the {@link IllegalArgumentException}
 * {@link Tokenizer#encodeBatch} documents).
 */
public abstract class TokenizerContract {
  /** The tokenizer under test (a new instance each call). */
  protected abstract Tokenizer tokenizer();

  /** Texts the tests encode. */
  protected List<String> texts() {
    return List.of("a photo of a shoe", "Two  RED bags, one blue.", "");
  }

  /** A text longer than the context: by default a word repeated twice the context length. */
  protected String tooLongText() {
    return "word ".repeat(2 * tokenizer().contextLength());
  }

  @Test
  public void nameIsAValidComponentName() {
    ComponentNames.assertValid("tokenizer", tokenizer().name());
    assertNotNull(tokenizer().description());
  }

  @Test
  public void sizesArePositiveAndThePadIdIsInTheVocabulary() {
    Tokenizer t = tokenizer();
    assertTrue(t.vocabularySize() > 0, "vocabularySize " + t.vocabularySize());
    assertTrue(t.contextLength() > 0, "contextLength " + t.contextLength());
    assertTrue(t.padId() >= 0 && t.padId() < t.vocabularySize(), "padId " + t.padId() + " outside the vocabulary");
  }

  @Test
  public void idsAreInTheVocabulary() {
    Tokenizer t = tokenizer();
    for (String text : texts()) {
      for (int id : t.encode(text).ids()) {
        assertTrue(id >= 0 && id < t.vocabularySize(), "'" + text + "' gave id " + id + " outside [0, " + t.vocabularySize() + ")");
      }
    }
  }

  @Test
  public void theSameTextGivesTheSameIds() {
    Tokenizer t = tokenizer();
    for (String text : texts()) {
      TokenIds ids = t.encode(text);
      assertEquals(ids, t.encode(text), "'" + text + "' encoded twice");
      assertEquals(ids, tokenizer().encode(text), "'" + text + "' encoded by a new instance");
    }
  }

  @Test
  public void theDecodedTextEncodesToTheSameIds() {
    Tokenizer t = tokenizer();
    for (String text : texts()) {
      TokenIds ids = t.encode(text);
      String decoded = t.decode(ids);
      assertEquals(ids, t.encode(decoded), "'" + text + "' decoded to '" + decoded + "', which encodes differently");
    }
  }

  @Test
  public void batchesArePaddedToTheContext() {
    Tokenizer t = tokenizer();
    List<TokenIds> batch = t.encodeBatch(texts(), false);
    assertEquals(texts().size(), batch.size());
    for (int i = 0; i < batch.size(); i++) {
      TokenIds ids = t.encode(texts().get(i));
      TokenIds padded = batch.get(i);
      assertEquals(t.contextLength(), padded.size(), "padded size of '" + texts().get(i) + "'");
      assertEquals(ids.length(), padded.length(), "real tokens of '" + texts().get(i) + "'");
      for (int k = 0; k < t.contextLength(); k++) {
        assertEquals(k < ids.length() ? ids.get(k) : t.padId(), padded.get(k), "id " + k + " of '" + texts().get(i) + "'");
      }
    }
  }

  @Test
  public void aTextLongerThanTheContextIsRefusedUnlessTruncated() {
    Tokenizer t = tokenizer();
    String text = tooLongText();
    TokenIds full = t.encode(text);
    assertTrue(full.length() > t.contextLength(), "tooLongText() is not longer than the context");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.encodeBatch(List.of(text), false));
    assertNotNull(e.getMessage());
    TokenIds cut = t.encodeBatch(List.of(text), true).get(0);
    assertEquals(t.contextLength(), cut.length());
    int[] kept = new int[t.contextLength() - 1];
    System.arraycopy(full.ids(), 0, kept, 0, kept.length);
    int[] got = new int[kept.length];
    System.arraycopy(cut.ids(), 0, got, 0, got.length);
    assertArrayEquals(kept, got, "truncation keeps the first ids");
    assertEquals(full.get(full.length() - 1), cut.get(t.contextLength() - 1), "truncation keeps the last id (the end token)");
  }
}
