package dev.tessera.plugins.clip;

import dev.tessera.api.TesseraException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte-pair encoding over CLIP's merges (Sennrich et al. 2016, byte-level as in GPT-2), with the
 * vocabulary built as {@code simple_tokenizer.py} builds it: the 256 byte characters, the same
 * with {@code </w>}, the concatenation of each of the first 48,894 merges (49,152 - 256 - 2), then
 * {@code <|startoftext|>} and {@code <|endoftext|>}: 49,408 ids.
 *
 * <p>A word (the UTF-8 bytes of one pre-token) starts as its byte characters, the last one
 * carrying {@code </w>}; then, while some adjacent pair is a merge, every occurrence of the pair
 * of lowest rank is merged, left to right. It runs on ids: a merge rank table keyed by the two ids,
 * with the id of the merged symbol. Immutable once read, so safe to share between threads.
 */
final class BytePairEncoder {
  static final String END_OF_WORD = "</w>";
  /** Merges CLIP uses: 49,152 BPE tokens less the 256 bytes and the 2 special tokens. */
  static final int MERGES = 49152 - 256 - 2;
  static final int VOCABULARY = 2 * ByteEncoder.SIZE + MERGES + 2;

  private static final long EMPTY = -1L;

  private final String[] vocabulary;
  /** Id of each byte's character, and of the character with {@code </w>}, by byte value. */
  private final int[] byteId = new int[ByteEncoder.SIZE];
  private final int[] byteEndId = new int[ByteEncoder.SIZE];
  // Open-addressing table: (left id, right id) -> rank and merged id.
  private final long[] pairKeys;
  private final int[] pairRanks;
  private final int[] pairMerged;
  private final int mask;

  private BytePairEncoder(String[] vocabulary, int[][] merges, Map<String, Integer> encoder) {
    this.vocabulary = vocabulary;
    for (int b = 0; b < ByteEncoder.SIZE; b++) {
      String c = String.valueOf(ByteEncoder.charOfByte(b));
      byteId[b] = encoder.get(c);
      byteEndId[b] = encoder.get(c + END_OF_WORD);
    }
    int capacity = Integer.highestOneBit(Math.max(16, merges.length * 3)) * 2;
    pairKeys = new long[capacity];
    Arrays.fill(pairKeys, EMPTY);
    pairRanks = new int[capacity];
    pairMerged = new int[capacity];
    mask = capacity - 1;
    for (int rank = 0; rank < merges.length; rank++) {
      // As dict(zip(merges, range(...))) and dict(zip(vocab, ...)): a repeated entry takes the later value.
      int[] m = merges[rank];
      int slot = slot(m[0], m[1]);
      pairKeys[slot] = key(m[0], m[1]);
      pairRanks[slot] = rank;
      pairMerged[slot] = encoder.get(vocabulary[2 * ByteEncoder.SIZE + rank]);
    }
  }

  /**
   * Reads a merges file (plain UTF-8 text: a {@code #version} header line, then one merge of two
   * space-separated symbols per line, in rank order). Only the first {@link #MERGES} merges are read,
   * as in the original; fewer is an error, as is a line without exactly two symbols or a symbol that
   * is neither a byte character nor the result of an earlier merge.
   *
   * @param source names the file or resource in error messages
   */
  static BytePairEncoder read(InputStream text, String source) {
    String[] vocabulary = new String[VOCABULARY];
    Map<String, Integer> encoder = new HashMap<>(VOCABULARY * 2);
    int size = 0;
    for (int i = 0; i < ByteEncoder.SIZE; i++) {
      vocabulary[size++] = String.valueOf(ByteEncoder.charOfIndex(i));
    }
    for (int i = 0; i < ByteEncoder.SIZE; i++) {
      vocabulary[size++] = ByteEncoder.charOfIndex(i) + END_OF_WORD;
    }
    for (int i = 0; i < size; i++) {
      encoder.put(vocabulary[i], i);
    }
    int[][] merges = new int[MERGES][];
    BufferedReader reader = new BufferedReader(new InputStreamReader(text,
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)));
    int count = 0;
    try {
      String header = reader.readLine();
      if (header == null) {
        throw new TesseraException(source + ": the merges file is empty");
      }
      if (!header.contains("#version")) {
        throw new TesseraException(source + ": line 1 should be the '#version' header of a merges file, found '"
            + abbreviate(header) + "'");
      }
      int lineNumber = 1;
      String line;
      while (count < MERGES && (line = reader.readLine()) != null) {
        lineNumber++;
        String[] symbols = splitPython(line);
        if (symbols.length != 2) {
          throw new TesseraException(source + ": line " + lineNumber + " has " + symbols.length
              + " symbols, a merge has two: '" + abbreviate(line) + "'");
        }
        int[] ids = new int[2];
        for (int k = 0; k < 2; k++) {
          Integer id = encoder.get(symbols[k]);
          if (id == null) {
            throw new TesseraException(source + ": line " + lineNumber + ": '" + abbreviate(symbols[k])
                + "' is neither a byte character nor the result of an earlier merge");
          }
          ids[k] = id;
        }
        String merged = symbols[0] + symbols[1];
        vocabulary[size] = merged;
        encoder.put(merged, size);
        size++;
        merges[count++] = ids;
      }
    } catch (CharacterCodingException e) {
      throw new TesseraException(source + ": the merges file is not UTF-8 text (" + e + ")", e);
    } catch (IOException e) {
      throw new TesseraException(source + ": cannot read the merges: " + e.getMessage(), e);
    }
    if (count < MERGES) {
      throw new TesseraException(source + ": has " + count + " merges, CLIP's vocabulary needs the first "
          + MERGES + " (49,152 tokens less 256 bytes and 2 special tokens)");
    }
    vocabulary[size] = ClipPreTokenizer.START_TEXT;
    encoder.put(vocabulary[size], size);
    size++;
    vocabulary[size] = ClipPreTokenizer.END_TEXT;
    encoder.put(vocabulary[size], size);
    // Merged ids resolve against the complete vocabulary, as the original's encoder dict does.
    return new BytePairEncoder(vocabulary, merges, encoder);
  }

  /** Python's {@code str.split()}: runs of whitespace separate, none at the ends. */
  private static String[] splitPython(String line) {
    java.util.List<String> parts = new java.util.ArrayList<>(2);
    int n = line.length();
    int i = 0;
    while (i < n) {
      while (i < n && ClipTextCleaner.isPythonSpace(line.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !ClipTextCleaner.isPythonSpace(line.charAt(i))) {
        i++;
      }
      if (i > start) {
        parts.add(line.substring(start, i));
      }
    }
    return parts.toArray(new String[0]);
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "...";
  }

  private static long key(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  /** The slot holding the pair, or the empty slot where it would go. */
  private int slot(int left, int right) {
    long k = key(left, right);
    int i = (int) ((k * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    while (pairKeys[i] != EMPTY && pairKeys[i] != k) {
      i = (i + 1) & mask;
    }
    return i;
  }

  /** The token ids of one word given as UTF-8 bytes (not empty). */
  int[] encode(byte[] word) {
    int n = word.length;
    int[] w = new int[n];
    for (int i = 0; i < n; i++) {
      w[i] = byteId[word[i] & 0xFF];
    }
    w[n - 1] = byteEndId[word[n - 1] & 0xFF];
    int len = n;
    while (len > 1) {
      int bestRank = Integer.MAX_VALUE;
      int bestSlot = -1;
      for (int i = 0; i + 1 < len; i++) {
        int s = slot(w[i], w[i + 1]);
        if (pairKeys[s] != EMPTY && pairRanks[s] < bestRank) {
          bestRank = pairRanks[s];
          bestSlot = s;
        }
      }
      if (bestSlot < 0) {
        break;
      }
      int first = (int) (pairKeys[bestSlot] >>> 32);
      int second = (int) pairKeys[bestSlot];
      int merged = pairMerged[bestSlot];
      int out = 0;
      for (int i = 0; i < len; ) {
        if (i + 1 < len && w[i] == first && w[i + 1] == second) {
          w[out++] = merged;
          i += 2;
        } else {
          w[out++] = w[i++];
        }
      }
      len = out;
    }
    return len == n ? w : Arrays.copyOf(w, len);
  }

  /** The symbol of an id (byte characters, possibly ending in {@code </w>}, or a special token). */
  String symbol(int id) {
    return vocabulary[id];
  }

  int size() {
    return vocabulary.length;
  }
}
