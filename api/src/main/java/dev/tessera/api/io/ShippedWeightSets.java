package dev.tessera.api.io;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weight sets a plugin ships in its jar for one model: the default and named variants, each a
 * resource folder holding config.json and model.safetensors. A model returns {@link #get} from
 * {@code shippedWeights()} / {@code shippedWeights(variant)} and {@link #variants} from
 * {@code weightVariants()}.
 *
 * @param defaultPrefix e.g. {@code tessera/weights/clip/fashion-mnist}
 * @param variantPrefixes variant name to resource folder, e.g. twemoji to {@code tessera/weights/clip/twemoji}
 */
public record ShippedWeightSets(Class<?> pluginClass, String defaultPrefix, Map<String, String> variantPrefixes) {
  public ShippedWeightSets {
    variantPrefixes = Map.copyOf(variantPrefixes);
  }

  /** The default set (null or empty name) or the named variant; null when that set does not ship. */
  public ModelWeights get(String variant) {
    if (variant == null || variant.isEmpty()) {
      return ModelWeights.shipped(pluginClass, defaultPrefix);
    }
    String prefix = variantPrefixes.get(variant);
    return prefix == null ? null : ModelWeights.shipped(pluginClass, prefix);
  }

  /** The names of the variants this build of the plugin holds, sorted (a folder left out of the jar is not listed). */
  public List<String> variants() {
    return new TreeMap<>(variantPrefixes).entrySet().stream()
        .filter(e -> pluginClass.getClassLoader().getResource(e.getValue() + "/" + ModelWeights.WEIGHTS_FILE) != null)
        .map(java.util.Map.Entry::getKey)
        .toList();
  }
}
