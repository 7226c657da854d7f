package dev.tessera.plugins.clip;

import java.util.ArrayList;
import java.util.List;

/**
 * Prompts with weights, written as VQGAN-CLIP users write them: {@code "a shoe:1|a bag:-0.5"}.
 * A part without {@code :weight} has weight 1; negative weights push away from a prompt.
 */
record WeightedPrompts(List<String> prompts, float[] weights) {

  static WeightedPrompts parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty prompt");
    }
    List<String> prompts = new ArrayList<>();
    List<Float> weights = new ArrayList<>();
    for (String part : text.split("\\|", -1)) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("empty part in weighted prompt '" + text + "'");
      }
      float w = 1f;
      int colon = p.lastIndexOf(':');
      if (colon >= 0) {
        String tail = p.substring(colon + 1).strip();
        try {
          w = Float.parseFloat(tail);
          p = p.substring(0, colon).strip();
        } catch (NumberFormatException e) {
          // a colon inside the prompt itself ("time: noon"): not a weight
        }
      }
      if (p.isEmpty()) {
        throw new IllegalArgumentException("a weight without a prompt in '" + text + "'");
      }
      if (!Float.isFinite(w)) {
        throw new IllegalArgumentException("weight of '" + p + "' is not a finite number");
      }
      prompts.add(p);
      weights.add(w);
    }
    float[] ws = new float[weights.size()];
    for (int i = 0; i < ws.length; i++) {
      ws[i] = weights.get(i);
    }
    return new WeightedPrompts(List.copyOf(prompts), ws);
  }
}
