package dev.tessera.api.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.spi.ComponentLookup;
import java.util.Iterator;
import java.util.Map;

/**
 * Completes a weights set whose config lists {@link ModelWeights#WEIGHTS_FROM_KEY}: the frozen
 * tensors it left out come from the named models' shipped weights, which must be the very weights
 * it was trained with (same fingerprint), or loading fails with a message saying so.
 */
public final class ReferencedWeights {
  private ReferencedWeights() {}

  public static ModelWeights complete(ModelWeights weights, ComponentLookup components) {
    JsonNode from = weights.config().node(ModelWeights.WEIGHTS_FROM_KEY);
    if (from == null || from.isEmpty()) {
      return weights;
    }
    if (!from.isObject()) {
      throw new TesseraException(weights.config().source() + ": '" + ModelWeights.WEIGHTS_FROM_KEY + "' must map model names to fingerprints");
    }
    Parameters merged = new Parameters(weights.parameters().source());
    merged.metadata().putAll(weights.parameters().metadata());
    for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      ModelWeights shipped = components.shippedWeights(e.getKey());
      if (shipped == null) {
        throw new TesseraException(weights.config().source() + ": these weights take their frozen '" + e.getKey()
            + "' tensors from that model's shipped weights, and it ships none");
      }
      String expected = e.getValue().asText();
      String actual = shipped.parameters().fingerprint();
      if (!actual.equals(expected)) {
        throw new TesseraException(weights.config().source() + ": these weights were trained with other '" + e.getKey()
            + "' weights than the plugin ships now (fingerprint " + abbreviate(expected) + ", shipped " + abbreviate(actual)
            + "): retrain them, or use the plugin version they were trained with");
      }
      merged.putAll(shipped.parameters());
    }
    merged.putAll(weights.parameters()); // the model's own tensors win
    return new ModelWeights(weights.config(), merged);
  }

  /**
   * The shipped weights a reference ("clip", "clip:twemoji") names, completed; a clear error when
   * its model ships none.
   */
  public static ModelWeights shipped(ComponentLookup components, String reference) {
    ModelWeights w = components.shippedWeights(reference);
    if (w == null) {
      String model = dev.tessera.api.io.WeightsReference.parse(reference).model();
      throw new TesseraException("model '" + model + "' ships no weights: train it (./tessera train " + model
          + " --out DIR) and pass --weights DIR");
    }
    return complete(w, components);
  }

  private static String abbreviate(String fingerprint) {
    return fingerprint.length() > 12 ? fingerprint.substring(0, 12) : fingerprint;
  }
}
