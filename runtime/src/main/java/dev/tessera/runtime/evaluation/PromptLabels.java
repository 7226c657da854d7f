package dev.tessera.runtime.evaluation;

import dev.tessera.runtime.data.FashionMnistCaptions;
import java.util.List;
import java.util.Locale;

/** The Fashion-MNIST class a prompt asks for: the class whose longest name occurs in it. */
public final class PromptLabels {
  private PromptLabels() {}

  /** The class id, or -1 when no class name occurs in the prompt. */
  public static int classOf(String prompt) {
    String p = " " + prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", " ") + " ";
    int best = -1;
    int bestLength = 0;
    for (int c = 0; c < FashionMnistCaptions.SYNONYMS.size(); c++) {
      List<String> names = new java.util.ArrayList<>(FashionMnistCaptions.SYNONYMS.get(c));
      names.add(FashionMnistCaptions.CLASS_PROMPT_NAMES.get(c));
      for (String name : names) {
        if (name.length() > bestLength && p.contains(" " + name + " ")) {
          best = c;
          bestLength = name.length();
        }
      }
    }
    return best;
  }
}
