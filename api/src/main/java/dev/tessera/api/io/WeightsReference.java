package dev.tessera.api.io;

import dev.tessera.api.TesseraException;
import java.util.regex.Pattern;

/**
 * Names a set of shipped weights: a model, and optionally one of the other weight sets its plugin
 * ships for it ({@code "clip"} is CLIP's default weights, {@code "clip:twemoji"} the ones trained
 * on Twemoji). Used wherever a model is named for its weights: {@code --model}, "text_model" in a
 * config, the models a weights set takes frozen tensors from.
 *
 * @param variant null for the model's default weights
 */
public record WeightsReference(String model, String variant) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");

  public WeightsReference {
    if (model == null || !NAME.matcher(model).matches()) {
      throw new TesseraException("'" + model + "' is not a model name (lower-case letters, digits, '.', '_', '-')");
    }
    if (variant != null && !NAME.matcher(variant).matches()) {
      throw new TesseraException("'" + variant + "' is not a weights variant name (lower-case letters, digits, '.', '_', '-')");
    }
  }

  /** "model" or "model:variant". */
  public static WeightsReference parse(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new TesseraException("no model named (expected MODEL or MODEL:VARIANT, e.g. clip:twemoji)");
    }
    int colon = reference.indexOf(':');
    if (colon < 0) {
      return new WeightsReference(reference, null);
    }
    if (reference.indexOf(':', colon + 1) >= 0) {
      throw new TesseraException("'" + reference + "': expected MODEL or MODEL:VARIANT, e.g. clip:twemoji");
    }
    return new WeightsReference(reference.substring(0, colon), reference.substring(colon + 1));
  }

  @Override
  public String toString() {
    return variant == null ? model : model + ":" + variant;
  }
}
