package dev.tessera.api.pipeline;

import dev.tessera.api.spi.Lexicon;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the words of a prompt that a text encoder has no embedding for, or never saw in its
 * training captions ({@link VocabularyCheck#seen}: "pyjama" made of pieces it knows), through a
 * dictionary: each such word (or the longest phrase around it the {@link Lexicon} knows, "trench coat", "prince
 * albert") is replaced by the nearest broader word that belongs to the encoder's world, so "a photo
 * of a zori" reaches a Fashion-MNIST CLIP as "a photo of a sandal" instead of "a photo of a
 * &lt;unknown&gt;".
 *
 * <p>The encoder's world is what its known captions ({@link KnownCaptions}: representative training
 * captions) name: their last words, where it has embeddings for them ({@link #worldOf}). Of the
 * phrase's meanings (in common use: {@link Lexicon#senses}), the one whose chain of broader
 * meanings reaches such a word in the fewest steps (at most {@link #MAX_STEPS}) wins, the more
 * common meaning on a tie; a word none of whose meanings gets there within those steps stays as it
 * was (and is warned about as unknown). The reading is the lexicon's, not learned: the model still
 * has not seen the word, and the warnings say what it was read as.
 */
public final class UnknownWordReading {
  /** How many steps up the chain of broader meanings a reading may go. */
  public static final int MAX_STEPS = 4;
  /** The longest phrase (in words) looked up around an unknown word. */
  static final int MAX_PHRASE = 3;
  private static final Pattern WORD = Pattern.compile("\\p{L}[\\p{L}\\p{N}'\\-]*"); // numbers (prompt weights) are no words
  private static final Pattern TRAILING_ARTICLE = Pattern.compile("(?i)(^|[^\\p{L}\\p{N}])(a|an)(\\s+)$");

  private final VocabularyCheck vocabulary;
  private final Set<String> world;
  private final Lexicon lexicon;
  // phrase -> reading (or NOT_FOUND), the least recently used dropped past 4,096 (a server's prompts are unbounded); guarded by this
  private final Map<String, Found> found = new java.util.LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Found> eldest) {
      return size() > 4096;
    }
  };

  /**
   * An unknown word of the prompt, the phrase around it that was read (the word itself, or "trench
   * coat" for "trench"), the word it was read as, and the definition of the meaning taken.
   */
  public record Read(String unknown, String phrase, String as, String gloss) {}

  /** The prompt as the encoder gets it, and what was read on the way (empty: unchanged). */
  public record Reading(String prompt, List<Read> read) {
    public Reading {
      read = List.copyOf(read);
    }
  }

  private record Found(String word, String gloss, int steps, int sense) {}

  private static final Found NOT_FOUND = new Found(null, null, Integer.MAX_VALUE, Integer.MAX_VALUE);

  public UnknownWordReading(VocabularyCheck vocabulary, List<String> knownCaptions, Lexicon lexicon) {
    this.vocabulary = vocabulary;
    this.lexicon = lexicon;
    this.world = worldOf(knownCaptions, vocabulary);
  }

  /**
   * The reading for an encoder, or null when there is nothing to read with: no lexicon, or an
   * encoder that lists no known captions (its world is not known).
   */
  public static UnknownWordReading of(VocabularyCheck vocabulary, KnownCaptions known, Lexicon lexicon) {
    if (known == null || lexicon == null || lexicon == Lexicon.NONE) {
      return null;
    }
    return new UnknownWordReading(vocabulary, known.captions(), lexicon);
  }

  /**
   * The things the encoder's captions name: the last word of each known caption (the head noun of
   * an English noun phrase: "a photo of a dark coat" names a coat; a definition such as "a
   * container used for carrying money ... (especially by women)" contributes only its last word),
   * where the encoder knows it. Words inside captions (attributes, "photo", the definitions'
   * "woman" and "covering") are not things it was trained to draw.
   */
  static Set<String> worldOf(List<String> captions, VocabularyCheck vocabulary) {
    Set<String> out = new HashSet<>();
    for (String c : captions) {
      String last = null;
      Matcher m = WORD.matcher(c.toLowerCase(Locale.ROOT));
      while (m.find()) {
        last = m.group();
      }
      if (last != null && vocabulary.knows(last) && vocabulary.seen(last)) {
        out.add(last);
      }
    }
    return Set.copyOf(out);
  }

  /** The prompt with every readable unknown word replaced; the rest of the prompt (weights, punctuation) unchanged. */
  public Reading read(String prompt) {
    if (prompt == null || prompt.isEmpty()) {
      return new Reading(prompt, List.of());
    }
    List<int[]> spans = new ArrayList<>();
    Matcher m = WORD.matcher(prompt);
    while (m.find()) {
      spans.add(new int[] {m.start(), m.end()});
    }
    StringBuilder out = new StringBuilder();
    List<Read> read = new ArrayList<>();
    int copied = 0;
    for (int i = 0; i < spans.size(); i++) {
      String w = word(prompt, spans.get(i));
      if (vocabulary.knows(w) && vocabulary.seen(w)) {
        continue; // a word it has an embedding for and saw in its captions
      }
      int[] best = null; // start, length
      Found reading = null;
      for (int len = Math.min(MAX_PHRASE, spans.size()); len >= 1 && reading == null; len--) {
        for (int start = Math.max(0, i - len + 1); start <= i && start + len <= spans.size() && reading == null; start++) {
          if (spans.get(start)[0] < copied || !oneSpaceApart(prompt, spans, start, len)) {
            continue;
          }
          Found f = lookUp(phrase(prompt, spans, start, len));
          if (f != NOT_FOUND) {
            reading = f;
            best = new int[] {start, len};
          }
        }
      }
      if (reading == null) {
        continue;
      }
      int from = spans.get(best[0])[0];
      int to = spans.get(best[0] + best[1] - 1)[1];
      out.append(prompt, copied, from);
      fixArticle(out, reading.word(), vocabulary);
      out.append(reading.word());
      read.add(new Read(prompt.substring(spans.get(i)[0], spans.get(i)[1]), prompt.substring(from, to), reading.word(), reading.gloss()));
      copied = to;
      i = best[0] + best[1] - 1;
    }
    if (read.isEmpty()) {
      return new Reading(prompt, List.of());
    }
    out.append(prompt, copied, prompt.length());
    return new Reading(out.toString(), read);
  }

  /**
   * The warning lines for a prompt read as {@code r}: one naming what was read and as what, with
   * the definitions (none when nothing was read), then those of {@link VocabularyCheck#warnings}
   * for the words left unknown.
   */
  public List<String> warnings(Reading r) {
    List<String> lines = new ArrayList<>();
    if (!r.read().isEmpty()) {
      StringBuilder b = new StringBuilder("the text encoder '" + vocabulary.encoderName() + "' does not know ");
      b.append(String.join(", ", r.read().stream().map(x -> "\"" + x.unknown() + "\"").toList())).append(": it reads ");
      for (int i = 0; i < r.read().size(); i++) {
        Read x = r.read().get(i);
        b.append(i == 0 ? "" : "; ").append('"').append(x.phrase()).append("\" as \"").append(x.as()).append("\" (")
            .append(lexicon.name()).append(": ").append(x.gloss()).append(')');
      }
      lines.add(b.toString());
    }
    lines.addAll(vocabulary.warnings(r.prompt()));
    return List.copyOf(lines);
  }

  private synchronized Found lookUp(String phrase) {
    return found.computeIfAbsent(phrase, this::nearestInWorld);
  }

  /** Of the phrase's meanings, the one nearest a word of the world (fewest steps up, then the more common). */
  private Found nearestInWorld(String phrase) {
    List<Lexicon.Sense> senses = lexicon.senses(phrase);
    Found best = NOT_FOUND;
    for (int s = 0; s < senses.size(); s++) {
      Deque<Lexicon.Sense> level = new ArrayDeque<>(List.of(senses.get(s)));
      Set<String> seen = new HashSet<>();
      for (int steps = 0; steps <= MAX_STEPS && steps < best.steps() && !level.isEmpty(); steps++) {
        Deque<Lexicon.Sense> next = new ArrayDeque<>();
        String hit = null;
        for (Lexicon.Sense node : level) {
          for (String w : node.words()) {
            if (hit == null && inWorld(w)) {
              hit = w;
            }
          }
          for (Lexicon.Sense up : lexicon.broader(node)) {
            if (seen.add(up.id())) {
              next.add(up);
            }
          }
        }
        if (hit != null) {
          best = new Found(hit, senses.get(s).gloss(), steps, s);
          break;
        }
        level = next;
      }
    }
    return best;
  }

  private boolean inWorld(String phrase) {
    for (String w : phrase.split(" ")) {
      if (!world.contains(w)) {
        return false;
      }
    }
    return true;
  }

  /**
   * "a" before a word read as one starting with a vowel becomes "an", and "an" before a consonant
   * "a", where the encoder knows the article it would become (the default Fashion-MNIST CLIP does
   * not know "an").
   */
  private static void fixArticle(StringBuilder out, String next, VocabularyCheck vocabulary) {
    Matcher m = TRAILING_ARTICLE.matcher(out);
    if (!m.find()) {
      return;
    }
    boolean vowel = "aeiou".indexOf(Character.toLowerCase(next.charAt(0))) >= 0;
    String article = m.group(2);
    String wanted = vowel ? "an" : "a";
    if (!article.equalsIgnoreCase(wanted) && vocabulary.knows(wanted)) {
      String cased = Character.isUpperCase(article.charAt(0)) ? Character.toUpperCase(wanted.charAt(0)) + wanted.substring(1) : wanted;
      out.replace(m.start(2), m.end(2), cased);
    }
  }

  private static String word(String prompt, int[] span) {
    return prompt.substring(span[0], span[1]).toLowerCase(Locale.ROOT);
  }

  private static String phrase(String prompt, List<int[]> spans, int start, int len) {
    StringBuilder b = new StringBuilder();
    for (int k = start; k < start + len; k++) {
      b.append(k == start ? "" : " ").append(word(prompt, spans.get(k)));
    }
    return b.toString();
  }

  private static boolean oneSpaceApart(String prompt, List<int[]> spans, int start, int len) {
    for (int k = start + 1; k < start + len; k++) {
      if (!prompt.substring(spans.get(k - 1)[1], spans.get(k)[0]).equals(" ")) {
        return false;
      }
    }
    return true;
  }
}
