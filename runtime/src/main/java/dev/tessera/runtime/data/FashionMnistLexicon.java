package dev.tessera.runtime.data;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The words WordNet has for each Fashion-MNIST class: the lemmas of chosen synsets and of their
 * hyponyms two levels down (the kinds of coat, of boot, of dress), their glosses, and their
 * hypernyms' words; a fixed share of the hyponym words held out of every training caption, so
 * that zero-shot accuracy on them measures what the text side generalises to.
 *
 * <p>Chosen synsets (WordNet 3.0 offsets in data.noun), by class, and why:
 * <ul>
 *   <li>t-shirt: 03595614 "jersey, T-shirt, tee shirt" (a close-fitting pullover shirt);
 *   <li>trouser: 04489008 "trouser, pant" (the garment; its hyponyms are kinds of trousers and shorts);
 *   <li>pullover: 04370048 "sweater, jumper" and 04021028 "pullover, slipover" (the data set's pullovers are sweaters);
 *   <li>dress: 03236735 "dress, frock" (the one-piece garment, not the verb's senses);
 *   <li>coat: 03057021 "coat" (an outer garment with sleeves; jackets, overcoats and raincoats are its hyponyms);
 *   <li>sandal: 04133789 "sandal";
 *   <li>shirt: 04197391 "shirt" (less the T-shirt synset, which is the t-shirt class's);
 *   <li>sneaker: 03472535 "gym shoe, sneaker, tennis shoe" and 04120489 "running shoe";
 *   <li>bag: 02774152 "bag, handbag, pocketbook, purse" (the data set's bags are handbags, not containers in general);
 *   <li>ankle boot: 02872752 "boot" (footwear covering the foot and lower leg; WordNet has no ankle-boot synset).
 * </ul>
 *
 * <p>Rules: a one-word lemma is kept only where the synset is its most frequent sense (so "white",
 * "flannel" and "thong", garments in rare senses, are not garment names here); a word two classes
 * share ("turtleneck": a sweater or jersey) is dropped from both; a synset chosen for one class is
 * not descended into from another. Held out: the hyponym words (never a chosen synset's own
 * lemmas nor the data set's class names) whose SHA-256 begins with a byte below 64, about a
 * quarter; their glosses still appear in training, their words never: a definition that names a
 * held-out word of any class (kurta's names "pyjama", anorak's "windcheater") is left out.
 */
public final class FashionMnistLexicon {
  /** The chosen synsets per class, in the data set's class order. */
  public static final List<List<Long>> SYNSETS = List.of(
      List.of(3595614L), List.of(4489008L), List.of(4370048L, 4021028L), List.of(3236735L), List.of(3057021L),
      List.of(4133789L), List.of(4197391L), List.of(3472535L, 4120489L), List.of(2774152L), List.of(2872752L));
  /** Levels of hyponyms below a chosen synset. */
  public static final int DEPTH = 2;
  /** A hyponym word is held out when the first byte of its SHA-256 is below this (of 256). */
  public static final int HELD_OUT_BELOW = 64;

  /**
   * One class's words.
   *
   * @param names the words training captions may use: the data set's class name, the chosen
   *     synsets' lemmas, the seen hyponym words
   * @param heldOut hyponym words no training caption uses
   * @param glosses definitions of the chosen synsets and of every hyponym, held out or not, less
   *     those that name a held-out word
   * @param hypernyms the words of the chosen synsets' hypernyms ("garment", "footwear")
   * @param core the everyday names among {@code names}: the data set's class name, the chosen
   *     synsets' lemmas and the hand-written synonyms of {@link FashionMnistCaptions#SYNONYMS} that
   *     are not held out. Captions use them as often as all other names together, so that a
   *     class's own word is not drowned by its dozens of rare kinds.
   */
  public record ClassWords(List<String> names, List<String> heldOut, List<String> glosses, List<String> hypernyms,
      List<String> core) {
    public ClassWords {
      names = List.copyOf(names);
      heldOut = List.copyOf(heldOut);
      glosses = List.copyOf(glosses);
      hypernyms = List.copyOf(hypernyms);
      core = List.copyOf(core);
      if (!names.containsAll(core) || core.isEmpty()) {
        throw new IllegalArgumentException("core words must be some of the names: " + core + " of " + names);
      }
    }
  }

  private FashionMnistLexicon() {}

  /** Every class's words from {@code wordnet}. */
  public static List<ClassWords> build(WordNet wordnet) {
    return build(wordnet, true);
  }

  /**
   * Every class's words from {@code wordnet}; with {@code strict} false, definitions that name a
   * held-out word are kept: the captions the shipped clip:wordnet was trained with (before
   * 2026-12-07), which its config's known captions and caption words record.
   */
  public static List<ClassWords> build(WordNet wordnet, boolean strict) {
    Set<Long> chosen = new HashSet<>();
    SYNSETS.forEach(chosen::addAll);
    List<Map<String, Boolean>> words = new ArrayList<>(); // word -> is a chosen synset's own lemma
    List<List<String>> glosses = new ArrayList<>();
    List<List<String>> hypernyms = new ArrayList<>();
    Map<String, Integer> classesOf = new HashMap<>();
    for (int c = 0; c < SYNSETS.size(); c++) {
      Map<String, Boolean> w = new LinkedHashMap<>();
      Set<String> g = new LinkedHashSet<>();
      Set<String> up = new LinkedHashSet<>();
      w.put(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(c), true);
      FashionMnistCaptions.SYNONYMS.get(c).forEach(l -> w.put(l, true));
      for (long root : SYNSETS.get(c)) {
        WordNet.Synset s = wordnet.synset(root);
        s.lemmas().forEach(l -> w.put(l, true)); // a chosen synset's lemmas are its names, first senses or not
        g.add(s.gloss());
        for (long h : s.hypernyms()) {
          up.addAll(wordnet.synset(h).lemmas());
        }
      }
      for (long root : SYNSETS.get(c)) {
        collect(wordnet, root, DEPTH, chosen, w, g);
      }
      for (String word : w.keySet()) {
        classesOf.merge(word, 1, Integer::sum);
      }
      words.add(w);
      glosses.add(List.copyOf(g));
      hypernyms.add(List.copyOf(up));
    }
    List<List<String>> names = new ArrayList<>();
    List<List<String>> heldOut = new ArrayList<>();
    List<List<String>> core = new ArrayList<>();
    Set<String> allHeldOut = new HashSet<>();
    for (int c = 0; c < SYNSETS.size(); c++) {
      names.add(new ArrayList<>());
      heldOut.add(new ArrayList<>());
      core.add(new ArrayList<>());
      for (Map.Entry<String, Boolean> e : words.get(c).entrySet()) {
        if (classesOf.get(e.getKey()) > 1) {
          continue; // a word of two classes names neither
        }
        (e.getValue() || !heldOut(e.getKey()) ? names : heldOut).get(c).add(e.getKey());
        if (e.getValue()) {
          core.get(c).add(e.getKey());
        }
      }
      allHeldOut.addAll(heldOut.get(c));
    }
    List<ClassWords> out = new ArrayList<>();
    for (int c = 0; c < SYNSETS.size(); c++) {
      List<String> definitions = glosses.get(c).stream().filter(g -> !strict || namesNoneOf(g, allHeldOut)).toList();
      out.add(new ClassWords(names.get(c), heldOut.get(c), definitions, hypernyms.get(c), core.get(c)));
    }
    return List.copyOf(out);
  }

  /**
   * Whether {@code text} names none of {@code words}, as a whole word or phrase, singular or with
   * a plural "s"/"es" (kurta's definition, "... usually with a salwar or churidars or pyjama",
   * names the held-out "pyjama").
   */
  static boolean namesNoneOf(String text, Set<String> words) {
    if (words.isEmpty()) {
      return true;
    }
    String any = words.stream().map(w -> Pattern.quote(w.toLowerCase(Locale.ROOT))).collect(java.util.stream.Collectors.joining("|"));
    return !Pattern.compile("(?<![\\p{L}\\p{N}])(?:" + any + ")(?:e?s)?(?![\\p{L}\\p{N}])").matcher(text.toLowerCase(Locale.ROOT)).find();
  }

  /** The words and glosses of the hyponyms of {@code offset}, not descending into another class's synsets (the T-shirt under shirt). */
  private static void collect(WordNet wordnet, long offset, int depth, Set<Long> chosen, Map<String, Boolean> words, Set<String> glosses) {
    for (WordNet.Synset s : wordnet.hyponyms(offset, depth, chosen)) {
      glosses.add(s.gloss());
      for (String lemma : s.lemmas()) {
        boolean oneWord = lemma.indexOf(' ') < 0 && lemma.indexOf('-') < 0;
        List<Long> senses = wordnet.senses(lemma);
        if (oneWord && (senses.isEmpty() || senses.get(0) != s.offset())) {
          continue; // a rare sense of a common word
        }
        words.putIfAbsent(lemma, false);
      }
    }
  }

  /** Whether a hyponym word is held out of training (fixed by its spelling alone). */
  public static boolean heldOut(String word) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(word.getBytes(StandardCharsets.UTF_8));
      return (h[0] & 0xff) < HELD_OUT_BELOW;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
