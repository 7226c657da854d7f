package dev.tessera.api.train;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Encoder;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * How a model uses the frozen encoder of another plugin (CLIP conditioning a diffusion model, a
 * VAE, a prior): the encoder's config is nested under "text_encoder" in the model's own (copied
 * from the encoder model's shipped weights when training starts, see
 * {@code TrainableModel.resolveComponents}), its towers are built under the encoder's own scope so
 * those weights load by name, and the model names the encoder model in "text_model" (default
 * "clip"). Shared by every plugin that conditions on CLIP, so none of them copies it.
 */
public final class FrozenEncoder {
  public static final String KEY = "text_encoder";

  private FrozenEncoder() {}

  /** The frozen CLIP model, nested under {@link #KEY} and named by "text_model". */
  public static final NestedModel CLIP = new NestedModel(KEY, "text_model", "clip", "text encoder");

  /** The CLIP model's shipped weights (config and tensors). */
  public static ModelWeights weights(ModelConfig config, ComponentLookup components) {
    return CLIP.weights(config, components);
  }

  /** The config with the CLIP config nested under {@link #KEY}, unless already there. */
  public static ModelConfig resolve(ModelConfig config, ComponentLookup components) {
    return CLIP.resolve(config, components);
  }

  /** The tokenizer of the nested encoder (for TrainableModel.tokenizer), "clip" before it is nested. */
  public static String tokenizer(ModelConfig config) {
    ModelConfig encoder = config.section(KEY);
    return encoder != null ? encoder.getString("tokenizer", "clip") : config.getString("tokenizer", "clip");
  }

  /** The nested encoder's text length (for TrainableModel.textLength), 0 before it is nested. */
  public static int textLength(ModelConfig config) {
    ModelConfig encoder = config.section(KEY);
    return encoder == null ? 0 : encoder.getPositiveInt("text_length", 16);
  }

  public static ModelConfig section(ModelConfig config) {
    return CLIP.section(config);
  }

  public static Encoder encoder(ModelConfig encoderConfig, ComponentLookup components) {
    String name = encoderConfig.getString("encoder", "clip");
    if (components == null) {
      throw new TesseraException("encoder '" + name + "' is not loaded: no plugins were given");
    }
    return components.encoder(name);
  }

  public static GraphScope scope(GraphScope root, ModelConfig encoderConfig) {
    return root.child(encoderConfig.getString("scope", "clip"));
  }

  public static Operand<TFloat32> text(GraphScope root, ModelConfig encoderConfig, Encoder encoder, Operand<TInt32> tokens) {
    if (tokens == null) {
      throw new TesseraException("a text-conditioned model trains on captions: the data set has none");
    }
    return encoder.encodeText(scope(root, encoderConfig), encoderConfig, tokens);
  }

  /** The text tower's per-token states, mask and pooled embedding ({@link Encoder#encodeTextStates}), for cross-attention. */
  public static Encoder.TextStates textStates(GraphScope root, ModelConfig encoderConfig, Encoder encoder, Operand<TInt32> tokens) {
    if (tokens == null) {
      throw new TesseraException("a text-conditioned model trains on captions: the data set has none");
    }
    return encoder.encodeTextStates(scope(root, encoderConfig), encoderConfig, tokens);
  }

  public static Operand<TFloat32> images(GraphScope root, ModelConfig encoderConfig, Encoder encoder, Operand<TFloat32> images) {
    return encoder.encodeImages(scope(root, encoderConfig), encoderConfig, images);
  }
}
