package dev.tessera.runtime.evaluation;

import dev.tessera.runtime.data.FashionMnistCaptions;
import java.util.List;
import java.util.Locale;

/**
 * The Fashion-MNIST class a prompt asks for: the class whose longest name occurs in it; of a
 * weighted prompt ("a sneaker:1|a bag:-0.3"), in its part of the largest positive weight. A prompt
 * whose words name no class ("a zori", "an anorak") can be given its class in a prompts file:
 * {@code a zori => sandal} ({@link #parseLine}).
 */
public final class PromptLabels {
  /** Separates a prompt from the class it asks for in a prompts-file line. */
  public static final String ARROW = "=>";

  /** A prompt and the class it asks for (-1: read from its words). */
  public record Labelled(String prompt, int classId) {}

  private PromptLabels() {}

  /**
   * A prompts-file line: "PROMPT" (its class read from its words) or "PROMPT => CLASS", CLASS one of
   * the ten class names ("sandal", "ankle boot"); throws {@link IllegalArgumentException} with a
   * one-line reason otherwise.
   */
  public static Labelled parseLine(String line) {
    int arrow = line.lastIndexOf(ARROW);
    if (arrow < 0) {
      return new Labelled(line.strip(), -1);
    }
    String prompt = line.substring(0, arrow).strip();
    String name = line.substring(arrow + ARROW.length()).strip().toLowerCase(Locale.ROOT);
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException("no prompt before " + ARROW);
    }
    int c = FashionMnistCaptions.CLASS_PROMPT_NAMES.indexOf(name);
    if (c < 0) {
      throw new IllegalArgumentException("'" + name + "' after " + ARROW + " is not a class name (one of "
          + String.join(", ", FashionMnistCaptions.CLASS_PROMPT_NAMES) + ")");
    }
    return new Labelled(prompt, c);
  }

  /** The class id, or -1 when no class name occurs in the prompt. */
  public static int classOf(String prompt) {
    if (prompt.indexOf('|') >= 0 || prompt.matches(".*:\\s*-?[0-9.]+\\s*$")) {
      dev.tessera.api.types.WeightedPrompts w;
      try {
        w = dev.tessera.api.types.WeightedPrompts.parse(prompt);
      } catch (RuntimeException e) {
        w = null; // not a weighted prompt after all: read it as text
      }
      if (w != null) {
        int best = -1;
        for (int i = 0; i < w.prompts().size(); i++) {
          if (w.weights()[i] > 0 && (best < 0 || w.weights()[i] > w.weights()[best])) {
            best = i;
          }
        }
        return best < 0 ? -1 : classOfText(w.prompts().get(best));
      }
    }
    return classOfText(prompt);
  }

  private static int classOfText(String prompt) {
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
