package dev.tessera.plugins.clip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;

/**
 * Hyper-parameters of a CLIP model (Radford et al. 2021), from config.json. Defaults are a small
 * model for 28x28 grayscale images: a ViT with 7x7 patches and a 4-layer text transformer, both
 * of width 128, projected to a 64-d joint space.
 *
 * @param vocabulary CLIP token ids that have their own embedding row (others share row 0, "unknown");
 *     null means the full 49,408-id vocabulary, as in OpenAI's models
 */
public record ClipConfig(
    int imageSize,
    int channels,
    int patchSize,
    int visionWidth,
    int visionLayers,
    int visionHeads,
    int textLength,
    int textWidth,
    int textLayers,
    int textHeads,
    int mlpRatio,
    int embedDim,
    int[] vocabulary,
    String activation,
    float[] imageMean,
    float[] imageStd) {

  public static final int FULL_VOCABULARY = 49408;
  public static final float LOGIT_SCALE_INIT = (float) Math.log(1 / 0.07);
  public static final float LOGIT_SCALE_MAX = (float) Math.log(100);

  public static ClipConfig from(ModelConfig c) {
    ClipConfig v = new ClipConfig(
        c.getPositiveInt("image_size", 28),
        c.getPositiveInt("channels", 1),
        c.getPositiveInt("patch_size", 7),
        c.getPositiveInt("vision_width", 128),
        c.getPositiveInt("vision_layers", 4),
        c.getPositiveInt("vision_heads", 4),
        c.getPositiveInt("text_length", 16),
        c.getPositiveInt("text_width", 128),
        c.getPositiveInt("text_layers", 4),
        c.getPositiveInt("text_heads", 4),
        c.getPositiveInt("mlp_ratio", 4),
        c.getPositiveInt("embed_dim", 64),
        vocabulary(c),
        c.getString("activation", "gelu"),
        perChannel(c, "image_mean", 0.5f),
        perChannel(c, "image_std", 0.5f));
    if (!v.activation.equals("gelu") && !v.activation.equals("quick_gelu")) {
      throw new TesseraException(c.source() + ": activation must be gelu or quick_gelu, got " + v.activation);
    }
    if (v.imageMean.length != 1 && v.imageMean.length != v.channels || v.imageStd.length != v.imageMean.length) {
      throw new TesseraException(c.source() + ": image_mean and image_std need 1 or " + v.channels + " values each");
    }
    for (float sd : v.imageStd) {
      if (!(sd > 0)) {
        throw new TesseraException(c.source() + ": image_std values must be positive");
      }
    }
    if (v.imageSize % v.patchSize != 0) {
      throw new TesseraException(c.source() + ": image_size " + v.imageSize + " is not a multiple of patch_size " + v.patchSize);
    }
    if (v.visionWidth % v.visionHeads != 0 || v.textWidth % v.textHeads != 0) {
      throw new TesseraException(c.source() + ": widths must be divisible by their head counts");
    }
    if (v.textLength < 2 || v.textLength > 77) {
      throw new TesseraException(c.source() + ": text_length must be in 2..77, got " + v.textLength);
    }
    return v;
  }

  private static int[] vocabulary(ModelConfig c) {
    JsonNode node = c.node("vocabulary");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw new TesseraException(c.source() + ": 'vocabulary' must be an array of token ids");
    }
    int[] ids = new int[node.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonNode n = node.get(i);
      if (!n.isInt() || n.intValue() < 0 || n.intValue() >= FULL_VOCABULARY) {
        throw new TesseraException(c.source() + ": vocabulary[" + i + "] is not a token id in 0.." + (FULL_VOCABULARY - 1) + ": " + n);
      }
      ids[i] = n.intValue();
    }
    return ids;
  }

  /** A number or a list of numbers (one per channel); {@code fallback} when absent. */
  private static float[] perChannel(ModelConfig c, String key, float fallback) {
    JsonNode node = c.node(key);
    if (node == null || node.isNull()) {
      return new float[] {fallback};
    }
    if (node.isNumber()) {
      return new float[] {node.floatValue()};
    }
    if (!node.isArray() || node.isEmpty()) {
      throw new TesseraException(c.source() + ": '" + key + "' must be a number or a list of numbers");
    }
    float[] out = new float[node.size()];
    for (int i = 0; i < out.length; i++) {
      if (!node.get(i).isNumber()) {
        throw new TesseraException(c.source() + ": '" + key + "'[" + i + "] is not a number");
      }
      out[i] = node.get(i).floatValue();
    }
    return out;
  }

  public int patches() {
    return (imageSize / patchSize) * (imageSize / patchSize);
  }

  /** Rows of the token embedding table. */
  public int embeddingRows() {
    return vocabulary == null ? FULL_VOCABULARY : vocabulary.length + 1;
  }

  public static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "clip")
        .with("scope", "clip")
        .with("encoder", "clip")
        .with("tokenizer", "clip")
        .with("image_size", 28)
        .with("channels", 1)
        .with("patch_size", 7)
        .with("vision_width", 128)
        .with("vision_layers", 4)
        .with("vision_heads", 4)
        .with("text_length", 16)
        .with("text_width", 128)
        .with("text_layers", 4)
        .with("text_heads", 4)
        .with("mlp_ratio", 4)
        .with("embed_dim", 64)
        .with("learning_rate", 5e-4)
        .with("batch_size", 128)
        // random views of the training images (dev.tessera.api.augment.RandomViews presets), and the background they show
        .with("augment", "none")
        .with("view_fill", 0.0);
  }
}
