package dev.tessera.api.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.ComponentLookup;

/**
 * A pretrained model of another plugin that a model is built on and keeps frozen (the CLIP text
 * encoder of a diffusion model, the VQ-VAE whose codes a transformer prior models). Its config is
 * nested in the model's own config under {@code key}, copied from the shipped weights of the model
 * named by {@code modelKey} (default {@code defaultModel}) when training starts, so the saved
 * config.json describes the whole model; its tensors are referenced by fingerprint, not copied.
 */
public record NestedModel(String key, String modelKey, String defaultModel, String role) {
  /** Name of the model this config takes the nested part from. */
  public String modelName(ModelConfig config) {
    return config.getString(modelKey, defaultModel);
  }

  /** The named model's shipped weights (config and tensors). */
  public ModelWeights weights(ModelConfig config, ComponentLookup components) {
    String model = modelName(config);
    if (components == null) {
      throw new TesseraException("this model is built on model '" + model + "' (" + role + "), but no plugins were given to find it");
    }
    ModelWeights w = components.shippedWeights(model);
    if (w == null) {
      throw new TesseraException("model '" + model + "' (" + role + ") ships no weights to build on: train it first");
    }
    return w;
  }

  /** The config with the named model's config nested under {@link #key}, unless already there. */
  public ModelConfig resolve(ModelConfig config, ComponentLookup components) {
    return config.section(key) != null ? config : config.with(key, weights(config, components).config());
  }

  /** The nested config, or a clear error naming what is missing. */
  public ModelConfig section(ModelConfig config) {
    ModelConfig c = config.section(key);
    if (c == null) {
      throw new TesseraException(config.source() + ": the config of the " + role + " is missing under '" + key
          + "' (filled in from model '" + modelName(config) + "' when training starts)");
    }
    return c;
  }
}
