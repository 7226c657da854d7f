package dev.tessera.api.types;

import dev.tessera.api.TesseraException;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompts with weights, written as VQGAN-CLIP users write them: {@code "a shoe:1|a bag:-0.5"}.
 * A part without {@code :weight} has weight 1; negative weights push away from a prompt. Shared by
 * the CLIP guidance (which scores images against them) and the pipelines that check or report a
 * weighted prompt.
 */
public record WeightedPrompts(List<String> prompts, float[] weights) {

  /**
   * @throws TesseraException for an empty prompt, an empty part ("a|"), a weight without a prompt
   *     (":2") or a weight that is not finite
   */
  public static WeightedPrompts parse(String text) {
    if (text == null || text.isBlank()) {
      throw new TesseraException("the prompt is empty: say what to draw, e.g. \"a sneaker:1|a boot:-0.3\"");
    }
    List<String> prompts = new ArrayList<>();
    List<Float> weights = new ArrayList<>();
    for (String part : text.split("\\|", -1)) {
      String p = part.strip();
      if (p.isEmpty()) {
        throw new TesseraException("empty part in weighted prompt '" + text + "': write parts as \"text:weight\" separated by '|'");
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
        throw new TesseraException("a weight without a prompt in '" + text + "'");
      }
      if (!Float.isFinite(w)) {
        throw new TesseraException("weight of '" + p + "' is not a finite number");
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
