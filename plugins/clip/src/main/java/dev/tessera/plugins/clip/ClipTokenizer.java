package dev.tessera.plugins.clip;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.TokenIds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.pf4j.Extension;

/**
 * OpenAI CLIP's tokenizer ({@code simple_tokenizer.py} of github.com/openai/CLIP), id for id:
 * clean-up ({@link ClipTextCleaner}: HTML-unescape twice, whitespace, lower-case), the CLIP
 * pre-tokenisation pattern ({@link ClipPreTokenizer}), UTF-8 bytes as printable characters
 * ({@link ByteEncoder}), byte-pair merges from OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}
 * ({@link BytePairEncoder}); start 49406 and end 49407 around every encoding, 49,408 ids, context
 * 77, padding 0. {@code <|startoftext|>} and {@code <|endoftext|>} written in the text become those
 * ids, as in the original.
 *
 * <p>Known differences: {@code ftfy.fix_text} is not applied (see {@link ClipTextCleaner}).
 * Letters, numbers and lower-casing follow the running JVM's Unicode tables (Java 17: Unicode 13.0),
 * Python's follow its own (3.11: Unicode 14; the {@code regex} module: newer), so characters
 * assigned after Unicode 13 may be split or cased differently; compared code point by code point
 * with Python 3.11 and regex 2026.5.9 the two agree on every character Java 17 knows except
 * U+1734, a mark Unicode 14 moved from Mn to Mc. A text with an unpaired surrogate is an
 * {@link IllegalArgumentException} (the original fails to UTF-8 encode it too). {@link #decode}
 * drops the start and end ids and the trailing space the original leaves. Word to BPE results are
 * cached in a bounded LRU of {@value #CACHE_SIZE} words (the original's dict is unbounded).
 *
 * <p>The merges file is read on first use, from this class's own resource.
 */
@Extension
public class ClipTokenizer implements Tokenizer {
  public static final String NAME = "clip";
  public static final int START = 49406;
  public static final int END = 49407;
  public static final int VOCABULARY = BytePairEncoder.VOCABULARY;
  public static final int CONTEXT = 77;
  public static final int PAD = 0;
  static final String MERGES_RESOURCE = "bpe_simple_vocab_16e6.txt.gz";
  static final int CACHE_SIZE = 10_000;

  private final LruCache<String, int[]> cache = new LruCache<>(CACHE_SIZE);
  private volatile BytePairEncoder bpe;

  /** Reads the merges shipped in the plugin on first use. */
  public ClipTokenizer() {}

  /** Over the merges of a stream (plain text: header line, then "left right" per line), read now. */
  ClipTokenizer(InputStream merges, String source) {
    this.bpe = BytePairEncoder.read(merges, source);
  }

  private BytePairEncoder bpe() {
    BytePairEncoder b = bpe;
    if (b == null) {
      synchronized (this) {
        b = bpe;
        if (b == null) {
          b = readShippedMerges();
          bpe = b;
        }
      }
    }
    return b;
  }

  private static BytePairEncoder readShippedMerges() {
    String source = "resource " + ClipTokenizer.class.getPackageName().replace('.', '/') + "/" + MERGES_RESOURCE;
    InputStream raw = ClipTokenizer.class.getResourceAsStream(MERGES_RESOURCE);
    if (raw == null) {
      throw new TesseraException(source + " is missing from the CLIP plugin");
    }
    try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
      return BytePairEncoder.read(in, source);
    } catch (IOException e) {
      throw new TesseraException(source + ": cannot read it as gzip: " + e.getMessage(), e);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "OpenAI CLIP byte-level BPE (49,408 ids, context 77)";
  }

  @Override
  public int vocabularySize() {
    return VOCABULARY;
  }

  @Override
  public int contextLength() {
    return CONTEXT;
  }

  @Override
  public int padId() {
    return PAD;
  }

  /** The text the ids are made of: unescaped, whitespace collapsed, stripped, lower-cased. */
  public String clean(String text) {
    return ClipTextCleaner.clean(text);
  }

  @Override
  public TokenIds encode(String text) {
    checkUnicode(text);
    BytePairEncoder b = bpe();
    List<String> pieces = ClipPreTokenizer.split(ClipTextCleaner.clean(text));
    int[] ids = new int[pieces.size() * 2 + 2];
    int n = 0;
    ids[n++] = START;
    for (String piece : pieces) {
      int[] word;
      if (piece.equals(ClipPreTokenizer.START_TEXT)) {
        word = new int[] {START};
      } else if (piece.equals(ClipPreTokenizer.END_TEXT)) {
        word = new int[] {END};
      } else {
        word = cache.get(piece);
        if (word == null) {
          word = b.encode(piece.getBytes(StandardCharsets.UTF_8));
          cache.put(piece, word);
        }
      }
      if (n + word.length + 1 > ids.length) {
        ids = Arrays.copyOf(ids, Math.max(ids.length * 2, n + word.length + 1));
      }
      System.arraycopy(word, 0, ids, n, word.length);
      n += word.length;
    }
    ids[n++] = END;
    return new TokenIds(Arrays.copyOf(ids, n));
  }

  private static void checkUnicode(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(String.format(
            "text has an unpaired surrogate U+%04X at index %d: it is not valid Unicode and has no UTF-8 bytes", (int) c, i));
      }
    }
  }

  /**
   * The text of the ids, as the original decodes it (symbols joined, bytes decoded as UTF-8 with
   * U+FFFD for invalid sequences, each {@code </w>} a space) without the space the last word's
   * {@code </w>} leaves at the end. Start and end ids are dropped, and so are pad ids after the last
   * end id (an encoding padded to the context). Pieces the pre-tokeniser split without a space
   * between them come back separated by one: "it's 3.5" decodes to "it 's 3 . 5".
   */
  @Override
  public String decode(TokenIds tokens) {
    BytePairEncoder b = bpe();
    int length = tokens.length();
    int lastEnd = -1;
    for (int i = 0; i < length; i++) {
      if (tokens.get(i) == END) {
        lastEnd = i;
      }
    }
    if (lastEnd >= 0) {
      while (length > lastEnd + 1 && tokens.get(length - 1) == PAD) {
        length--;
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(length * 4);
    for (int i = 0; i < length; i++) {
      int id = tokens.get(i);
      if (id == START || id == END) {
        continue;
      }
      if (id >= VOCABULARY) {
        throw new IllegalArgumentException("token id " + id + " at position " + i
            + " is outside CLIP's vocabulary of " + VOCABULARY);
      }
      String symbol = b.symbol(id);
      for (int k = 0; k < symbol.length(); k++) {
        bytes.write(ByteEncoder.byteOfChar(symbol.charAt(k)));
      }
    }
    String text = Utf8Decoder.decode(bytes.toByteArray(), bytes.size()).replace(BytePairEncoder.END_OF_WORD, " ");
    return text.endsWith(" ") ? text.substring(0, text.length() - 1) : text;
  }

  /** Words in the BPE cache (for tests). */
  int cachedWords() {
    return cache.size();
  }
}
