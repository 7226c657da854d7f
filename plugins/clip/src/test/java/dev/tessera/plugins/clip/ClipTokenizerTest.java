package dev.tessera.plugins.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.types.TokenIds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tokenizer against OpenAI's: {@code clip-tokenizer-cases.json} holds texts with the ids,
 * cleaned text and decoding that OpenAI's {@code simple_tokenizer.py} gives (with
 * {@code ftfy.fix_text} as identity; see its {@code generated_by}).
 */
class ClipTokenizerTest {
  static final ClipTokenizer TOKENIZER = new ClipTokenizer();
  static List<Case> cases;
  static JsonNode decodeCases;
  static JsonNode utf8Cases;

  record Case(String text, String cleaned, int[] ids, String decoded) {}

  @BeforeAll
  static void readFixture() throws IOException {
    JsonNode root;
    try (InputStream in = ClipTokenizerTest.class.getResourceAsStream("clip-tokenizer-cases.json")) {
      assertNotNull(in, "clip-tokenizer-cases.json is missing");
      root = new ObjectMapper().readTree(in);
    }
    cases = new ArrayList<>();
    for (String group : List.of("cases", "random_cases")) {
      for (JsonNode c : root.get(group)) {
        cases.add(new Case(c.get("text").asText(), c.get("cleaned").asText(), ints(c.get("ids")), c.get("decoded").asText()));
      }
    }
    decodeCases = root.get("decode_cases");
    utf8Cases = root.get("utf8_cases");
    assertTrue(cases.size() > 400, "fixture has " + cases.size() + " cases");
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  /** The original's decode leaves a space after the last word; ours does not. */
  static String withoutLastSpace(String decoded) {
    return decoded.endsWith(" ") ? decoded.substring(0, decoded.length() - 1) : decoded;
  }

  static String show(String s) {
    return s.codePoints().mapToObj(cp -> cp >= 0x20 && cp < 0x7F ? Character.toString(cp) : String.format("\\u{%X}", cp))
        .collect(Collectors.joining());
  }

  @Test
  void describesItself() {
    assertEquals("clip", TOKENIZER.name());
    assertEquals(49408, TOKENIZER.vocabularySize());
    assertEquals(77, TOKENIZER.contextLength());
    assertEquals(0, TOKENIZER.padId());
  }

  @Test
  void idsOfTheDataReadme() {
    assertArrayEquals(new int[] {49406, 320, 1125, 539, 320, 2368, 49407}, TOKENIZER.encode("a photo of a cat").ids());
    assertArrayEquals(new int[] {49406, 320, 22697, 49407}, TOKENIZER.encode("a diagram").ids());
    assertArrayEquals(new int[] {49406, 49407}, TOKENIZER.encode("").ids());
  }

  @Test
  void encodesEveryFixtureCaseAsOpenAi() {
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      int[] ids = TOKENIZER.encode(c.text()).ids();
      if (!Arrays.equals(c.ids(), ids)) {
        wrong.add(show(c.text()) + ": expected " + Arrays.toString(c.ids()) + ", got " + Arrays.toString(ids));
      }
    }
    assertTrue(wrong.isEmpty(), wrong.size() + " of " + cases.size() + " differ:\n" + String.join("\n", wrong));
  }

  @Test
  void cleansEveryFixtureCaseAsOpenAi() {
    for (Case c : cases) {
      assertEquals(c.cleaned(), TOKENIZER.clean(c.text()), () -> "cleaning " + show(c.text()));
    }
  }

  @Test
  void decodesEveryFixtureCaseAsOpenAi() {
    for (Case c : cases) {
      String decoded = TOKENIZER.decode(TOKENIZER.encode(c.text()));
      assertEquals(withoutLastSpace(c.decoded()), decoded, () -> "decoding " + show(c.text()));
    }
    for (JsonNode d : decodeCases) {
      int[] ids = ints(d.get("ids"));
      assertEquals(withoutLastSpace(d.get("decoded").asText()), TOKENIZER.decode(new TokenIds(ids)),
          () -> "decoding " + Arrays.toString(ids));
    }
  }

  @Test
  void decodesBrokenUtf8AsPython() {
    for (JsonNode c : utf8Cases) {
      String hex = c.get("bytes").asText();
      byte[] bytes = new byte[hex.length() / 2];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
      }
      assertEquals(c.get("decoded").asText(), Utf8Decoder.decode(bytes, bytes.length), () -> "decoding bytes " + hex);
    }
  }

  @Test
  void decodingGivesBackTheCleanedTextWhenItsPiecesAreSpaceSeparated() {
    int checked = 0;
    for (Case c : cases) {
      List<String> pieces = ClipPreTokenizer.split(c.cleaned());
      boolean special = pieces.contains(ClipPreTokenizer.START_TEXT) || pieces.contains(ClipPreTokenizer.END_TEXT);
      if (!special && String.join(" ", pieces).equals(c.cleaned())) {
        assertEquals(c.cleaned(), TOKENIZER.decode(TOKENIZER.encode(c.text())), () -> "round trip of " + show(c.text()));
        checked++;
      }
    }
    assertTrue(checked > 100, "only " + checked + " cases checked");
    // Otherwise pieces come back with a space between them, as the original decodes.
    assertEquals("don 't stop , it 's 3 . 1 4", TOKENIZER.decode(TOKENIZER.encode("Don't stop, it's 3.14")));
  }

  @Test
  void specialTokensInTheTextAreTheSpecialIds() {
    assertArrayEquals(new int[] {49406, 320, 49407, 321, 49407}, TOKENIZER.encode("a <|endoftext|> b").ids());
    assertArrayEquals(new int[] {49406, 49406, 49407}, TOKENIZER.encode("<|StartOfText|>").ids());
  }

  @Test
  void decodeDropsStartEndAndTrailingPadding() {
    TokenIds padded = TOKENIZER.encodeBatch(List.of("!!! a cat"), false).get(0);
    TokenIds full = new TokenIds(padded.ids()); // length 77, padding counted as tokens
    assertEquals("!!! a cat", TOKENIZER.decode(padded));
    assertEquals("!!! a cat", TOKENIZER.decode(full));
    // 0 is also the id of "!": inside the text it is kept.
    assertEquals("!<| endoftext |>", TOKENIZER.decode(TOKENIZER.encode("!<|endoftext|>")));
    assertEquals("!", TOKENIZER.decode(new TokenIds(new int[] {0})));
    assertEquals("", TOKENIZER.decode(new TokenIds(new int[0])));
  }

  @Test
  void decodeRejectsIdsOutsideTheVocabulary() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TOKENIZER.decode(new TokenIds(new int[] {320, 49408})));
    assertTrue(e.getMessage().contains("49408") && e.getMessage().contains("position 1"), e.getMessage());
  }

  @Test
  void encodeRejectsUnpairedSurrogates() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TOKENIZER.encode("cat \uD83D dog"));
    assertTrue(e.getMessage().contains("U+D83D") && e.getMessage().contains("index 4"), e.getMessage());
    assertEquals(3, TOKENIZER.encode("\uD83D\uDC31").length()); // a proper pair is fine
  }

  @Test
  void batchesArePaddedWithZerosToTheContext() {
    List<String> texts = List.of("a photo of a cat", "", "a diagram");
    List<TokenIds> batch = TOKENIZER.encodeBatch(texts, false);
    assertEquals(3, batch.size());
    for (int i = 0; i < texts.size(); i++) {
      TokenIds one = TOKENIZER.encode(texts.get(i));
      TokenIds padded = batch.get(i);
      assertEquals(77, padded.size());
      assertEquals(one.length(), padded.length());
      assertArrayEquals(one.ids(), Arrays.copyOf(padded.ids(), one.length()));
      for (int k = one.length(); k < 77; k++) {
        assertEquals(0, padded.get(k));
      }
    }
  }

  @Test
  void aPromptOfExactlyTheContextFits() {
    String text = String.join(" ", java.util.Collections.nCopies(75, "cat"));
    TokenIds ids = TOKENIZER.encodeBatch(List.of(text), false).get(0);
    assertEquals(77, ids.length());
    assertEquals(49407, ids.get(76));
  }

  @Test
  void aTooLongPromptIsAClearError() {
    String text = "a ".repeat(100);
    assertEquals(102, TOKENIZER.encode(text).length());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TOKENIZER.encodeBatch(List.of("a cat", text), false));
    assertTrue(e.getMessage().contains("102 tokens") && e.getMessage().contains("77"), e.getMessage());
  }

  @Test
  void truncationKeepsTheEndToken() {
    String text = IntStream.range(0, 120).mapToObj(i -> "word" + (char) ('a' + i % 26)).collect(Collectors.joining(" "));
    TokenIds all = TOKENIZER.encode(text);
    assertTrue(all.length() > 77);
    TokenIds cut = TOKENIZER.encodeBatch(List.of(text), true).get(0);
    assertEquals(77, cut.size());
    assertEquals(77, cut.length());
    assertEquals(49407, cut.get(76));
    assertEquals(49406, cut.get(0));
    assertArrayEquals(Arrays.copyOf(all.ids(), 76), Arrays.copyOf(cut.ids(), 76));
    // As OpenAI's clip.tokenize(truncate=True): tokens[:77] with the last replaced by the end token.
    int[] openAi = Arrays.copyOf(all.ids(), 77);
    openAi[76] = 49407;
    assertArrayEquals(openAi, cut.ids());
  }

  @Test
  void theCacheGivesTheSameIds() {
    ClipTokenizer fresh = new ClipTokenizer();
    assertEquals(0, fresh.cachedWords());
    for (Case c : cases) {
      assertArrayEquals(c.ids(), fresh.encode(c.text()).ids()); // cold
    }
    int cached = fresh.cachedWords();
    assertTrue(cached > 100, "cached " + cached);
    for (Case c : cases) {
      assertArrayEquals(c.ids(), fresh.encode(c.text()).ids()); // warm
    }
    assertEquals(cached, fresh.cachedWords());
  }

  @Test
  void theCacheIsBounded() {
    ClipTokenizer fresh = new ClipTokenizer();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < ClipTokenizer.CACHE_SIZE + 500; i++) {
      text.append(wordOf(i)).append(' ');
      if (i % 50 == 49) {
        fresh.encode(text.toString());
        text.setLength(0);
      }
    }
    assertEquals(ClipTokenizer.CACHE_SIZE, fresh.cachedWords());
    assertArrayEquals(TOKENIZER.encode("a photo of a cat").ids(), fresh.encode("a photo of a cat").ids());
  }

  /** A distinct letters-only word per number. */
  static String wordOf(int i) {
    StringBuilder w = new StringBuilder("w");
    do {
      w.append((char) ('a' + i % 26));
      i /= 26;
    } while (i > 0);
    return w.toString();
  }

  @Test
  void isThreadSafe() throws Exception {
    ClipTokenizer shared = new ClipTokenizer(); // the merges are also loaded by the racing threads
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        futures.add(pool.submit(() -> {
          int checked = 0;
          for (int round = 0; round < 3; round++) {
            for (int i = 0; i < cases.size(); i++) {
              Case c = cases.get((i * 7 + offset * 31 + round) % cases.size());
              if (!Arrays.equals(c.ids(), shared.encode(c.text()).ids())) {
                throw new AssertionError("thread " + offset + " got other ids for " + show(c.text()));
              }
              if (!withoutLastSpace(c.decoded()).equals(shared.decode(new TokenIds(c.ids())))) {
                throw new AssertionError("thread " + offset + " decoded " + show(c.text()) + " otherwise");
              }
              checked++;
            }
          }
          return checked;
        }));
      }
      int total = 0;
      for (Future<Integer> f : futures) {
        total += f.get();
      }
      assertEquals(8 * 3 * cases.size(), total);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void vocabularyIsBuiltInTheOriginalOrder() {
    ClipTokenizer t = new ClipTokenizer();
    t.encode("x"); // loads the merges
    BytePairEncoder bpe = mergesOf(t);
    assertEquals(49408, bpe.size());
    assertEquals("!", bpe.symbol(0));
    assertEquals("\u0143", bpe.symbol(255));
    assertEquals("!</w>", bpe.symbol(256));
    assertEquals("\u0143</w>", bpe.symbol(511));
    assertEquals("in", bpe.symbol(512)); // the first merge, "i n"
    assertEquals("jekyll</w>", bpe.symbol(49405)); // the 48,894th merge, "jeky ll</w>"
    assertEquals("<|startoftext|>", bpe.symbol(49406));
    assertEquals("<|endoftext|>", bpe.symbol(49407));
  }

  static BytePairEncoder mergesOf(ClipTokenizer t) {
    try {
      java.lang.reflect.Field f = ClipTokenizer.class.getDeclaredField("bpe");
      f.setAccessible(true);
      return (BytePairEncoder) f.get(t);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void loadsTheMergesOnce() {
    ClipTokenizer t = new ClipTokenizer();
    assertEquals(null, mergesOf(t)); // nothing read by the constructor
    t.encode("a");
    BytePairEncoder first = mergesOf(t);
    t.encode("b");
    assertSame(first, mergesOf(t));
  }

  @Test
  void isAPf4jExtension() throws IOException {
    boolean indexed = false;
    var indexes = ClipTokenizer.class.getClassLoader().getResources("META-INF/extensions.idx");
    while (indexes.hasMoreElements()) {
      try (InputStream in = indexes.nextElement().openStream()) {
        indexed |= new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().anyMatch(ClipTokenizer.class.getName()::equals);
      }
    }
    assertTrue(indexed, "ClipTokenizer is not in META-INF/extensions.idx");
    assertNotNull(ClipTokenizer.class.getAnnotation(org.pf4j.Extension.class));
  }
}
