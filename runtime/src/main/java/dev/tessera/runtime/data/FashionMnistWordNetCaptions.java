package dev.tessera.runtime.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Captions for Fashion-MNIST from WordNet ({@link FashionMnistLexicon}) and from the image itself
 * ({@link ImageAttributes}): "a photo of a dark patterned parka", "a small sandal", "a kind of
 * footwear: a boot", or the definition of a synset of the image's class ("a sweater that is put
 * on by pulling it over the head"). Held-out words never appear. Each image's attribute words
 * are fixed when the captioner is made (from its class's quartiles over the data set it captions).
 */
public final class FashionMnistWordNetCaptions implements Captioner {
  /** Share of captions that are a definition. */
  public static final double GLOSS_SHARE = 0.2;
  /** Share that name a hypernym ("a boot, a kind of footwear"). */
  public static final double HYPERNYM_SHARE = 0.1;
  /** Share of the named captions whose name is one of the class's core words ({@link FashionMnistLexicon.ClassWords#core}). */
  public static final double CORE_SHARE = 0.5;
  /** Chance that each attribute an image has is stated. */
  public static final double ATTRIBUTE_CHANCE = 0.6;

  private final List<FashionMnistLexicon.ClassWords> lexicon;
  private final byte[][] words; // [image][attribute]: -1 none, 0 low word, 1 high word

  public FashionMnistWordNetCaptions(Dataset data, List<FashionMnistLexicon.ClassWords> lexicon) {
    this.lexicon = List.copyOf(lexicon);
    int[] labels = data.labels();
    ImageAttributes.Measures[] measures = ImageAttributes.measureAll(data.images());
    double[][][] q = ImageAttributes.quartiles(measures, labels, lexicon.size());
    this.words = new byte[labels.length][3];
    for (int i = 0; i < labels.length; i++) {
      for (int a = 0; a < 3; a++) {
        String w = ImageAttributes.word(measures[i], a, q[labels[i]][a]);
        words[i][a] = (byte) (w == null ? -1 : w.equals(ImageAttributes.WORDS[a][0]) ? 0 : 1);
      }
    }
  }

  /** The attribute words of image {@code index} (those its class's quartiles give it). */
  public List<String> attributes(int index) {
    List<String> out = new ArrayList<>();
    for (int a = 0; a < 3; a++) {
      if (words[index][a] >= 0) {
        out.add(ImageAttributes.WORDS[a][words[index][a]]);
      }
    }
    return out;
  }

  /**
   * Every core word in every training template, each with every attribute word ("a photo of a dark
   * coat"); each class name with every two and three attribute words ("a photo of a dark patterned
   * small coat"), as captions combine them; and every definition.
   */
  @Override
  public List<String> examples() {
    return examples(lexicon);
  }

  /** {@link #examples} of a lexicon. */
  public static List<String> examples(List<FashionMnistLexicon.ClassWords> lexicon) {
    List<String> out = new ArrayList<>();
    for (FashionMnistLexicon.ClassWords w : lexicon) {
      for (String name : w.core()) {
        FashionMnistCaptions.TRAINING_TEMPLATES.forEach(t -> out.add(FashionMnistCaptions.fill(t, name)));
        for (String[] pair : ImageAttributes.WORDS) {
          for (String attribute : pair) {
            out.add("a photo of a " + attribute + " " + name);
          }
        }
      }
      String name = w.core().get(0);
      for (int a = 0; a < 3; a++) {
        for (int b = a + 1; b < 3; b++) {
          for (String x : ImageAttributes.WORDS[a]) {
            for (String y : ImageAttributes.WORDS[b]) {
              out.add("a photo of a " + x + " " + y + " " + name);
              if (b == 1) {
                for (String z : ImageAttributes.WORDS[2]) {
                  out.add("a photo of a " + x + " " + y + " " + z + " " + name);
                }
              }
            }
          }
        }
      }
      out.addAll(w.glosses());
    }
    return out;
  }

  /** The examples, and every name (not only the core ones) with each hypernym phrase ("a NAME, a kind of HYPERNYM"). */
  @Override
  public List<String> vocabulary() {
    return vocabulary(lexicon);
  }

  /** {@link #vocabulary} of a lexicon. */
  public static List<String> vocabulary(List<FashionMnistLexicon.ClassWords> lexicon) {
    List<String> out = new ArrayList<>(examples(lexicon));
    for (FashionMnistLexicon.ClassWords w : lexicon) {
      w.names().forEach(n -> out.add("a " + n + ", a kind of"));
      out.addAll(w.hypernyms());
    }
    return out;
  }

  @Override
  public List<String> probes() {
    return FashionMnistCaptions.evaluationPrompts();
  }

  @Override
  public String caption(Dataset data, int index, SplittableRandom random) {
    FashionMnistLexicon.ClassWords w = lexicon.get(data.labels()[index]);
    double r = random.nextDouble();
    if (r < GLOSS_SHARE) {
      return w.glosses().get(random.nextInt(w.glosses().size()));
    }
    List<String> names = random.nextDouble() < CORE_SHARE ? w.core() : w.names();
    String name = names.get(random.nextInt(names.size()));
    if (r < GLOSS_SHARE + HYPERNYM_SHARE && !w.hypernyms().isEmpty()) {
      return "a " + name + ", a kind of " + w.hypernyms().get(random.nextInt(w.hypernyms().size()));
    }
    StringBuilder phrase = new StringBuilder();
    for (String attribute : attributes(index)) {
      if (random.nextDouble() < ATTRIBUTE_CHANCE) {
        phrase.append(attribute).append(' ');
      }
    }
    phrase.append(name);
    List<String> templates = FashionMnistCaptions.TRAINING_TEMPLATES;
    return FashionMnistCaptions.fill(templates.get(random.nextInt(templates.size())), phrase.toString());
  }
}
