package dev.tessera.runtime.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Captions for Fashion-MNIST made from templates and several names per class ("a photo of a
 * sneaker", "a running shoe"). The training templates and the evaluation templates are disjoint,
 * so zero-shot accuracy measured with {@link #EVALUATION_TEMPLATES} uses phrasings no model saw
 * in training. {@link #CLASS_PROMPT_NAMES} are the dataset's own class names, as a zero-shot user
 * would type them.
 */
public final class FashionMnistCaptions implements Captioner {
  /** Several names per class, in the dataset's class order. */
  public static final List<List<String>> SYNONYMS = List.of(
      List.of("t-shirt", "tee", "top", "t-shirt top", "short-sleeved shirt", "tee shirt"),
      List.of("trouser", "pair of trousers", "pair of pants", "pants", "slacks", "jeans"),
      List.of("pullover", "sweater", "jumper", "knitted pullover", "long-sleeved sweater"),
      List.of("dress", "frock", "gown", "summer dress", "one-piece dress"),
      List.of("coat", "jacket", "overcoat", "winter coat", "parka"),
      List.of("sandal", "pair of sandals", "open shoe", "summer sandal", "strappy sandal"),
      List.of("shirt", "button-up shirt", "blouse", "collared shirt", "long-sleeved shirt"),
      List.of("sneaker", "running shoe", "trainer", "sports shoe", "athletic shoe"),
      List.of("bag", "handbag", "purse", "tote bag", "shoulder bag"),
      List.of("ankle boot", "boot", "short boot", "leather boot", "heeled boot"));

  /** The ten class names (the data set's display names): what a zero-shot prompt uses. */
  public static final List<String> CLASS_PROMPT_NAMES = FashionMnist.CLASS_NAMES;

  public static final List<String> TRAINING_TEMPLATES = List.of(
      "a photo of a {}",
      "a {}",
      "{}",
      "a black and white photo of a {}",
      "a grayscale image of a {}",
      "a picture of a {}",
      "a low resolution photo of a {}",
      "a small photo of a {}",
      "an image of a {}",
      "a product photo of a {}",
      "this is a {}",
      "a blurry photo of a {}",
      "a photo of the {}",
      "a close-up photo of a {}",
      "a {} on a black background");

  /** Never used in training. */
  public static final List<String> EVALUATION_TEMPLATES = List.of(
      "a catalogue picture of a {}",
      "a pixelated image of the {}",
      "an item of clothing: {}",
      "a tiny {} in gray");

  @Override
  public String caption(Dataset data, int index, SplittableRandom random) {
    int label = data.labels()[index];
    List<String> names = SYNONYMS.get(label);
    String name = names.get(random.nextInt(names.size()));
    String template = TRAINING_TEMPLATES.get(random.nextInt(TRAINING_TEMPLATES.size()));
    return fill(template, name);
  }

  /** Every synonym in every training template. */
  @Override
  public List<String> examples() {
    List<String> out = new java.util.ArrayList<>();
    for (List<String> names : SYNONYMS) {
      for (String name : names) {
        TRAINING_TEMPLATES.forEach(t -> out.add(fill(t, name)));
      }
    }
    return out;
  }

  /** The class names in the evaluation templates. */
  @Override
  public List<String> probes() {
    return evaluationPrompts();
  }

  /** The ten class names in the four evaluation templates (never used in training). */
  public static List<String> evaluationPrompts() {
    List<String> out = new java.util.ArrayList<>();
    for (String name : CLASS_PROMPT_NAMES) {
      EVALUATION_TEMPLATES.forEach(t -> out.add(fill(t, name)));
    }
    return out;
  }

  public static String fill(String template, String name) {
    if (!template.contains("{}")) {
      throw new IllegalArgumentException("template '" + template + "' has no {} for the label");
    }
    return template.replace("{}", name);
  }
}
