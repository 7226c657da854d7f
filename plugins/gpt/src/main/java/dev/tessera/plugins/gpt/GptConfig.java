package dev.tessera.plugins.gpt;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;

/**
 * Hyper-parameters of the transformer prior, read from config.json.
 *
 * @param dim width of the residual stream
 * @param prefixLength prefix positions the CLIP text embedding is projected to
 * @param conditionDropout fraction of training examples whose text embedding is zeroed, so that
 *     classifier-free guidance can contrast conditional and unconditional logits
 * @param textDim width of the CLIP text embedding (from the nested CLIP config)
 * @param gridSize side of the autoencoder's code grid; the sequence is its G*G codes in raster order
 * @param codebookSize number of codes (the vocabulary of the transformer)
 * @param kvCache sample with the key/value cache (false recomputes every position, for benchmarks)
 */
public record GptConfig(
    int dim, int heads, int layers, int mlpRatio, int prefixLength, double conditionDropout, int textDim, int gridSize, int codebookSize,
    boolean kvCache) {

  public static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "gpt").with("scope", "gpt").with("prior", "gpt")
        .with("text_model", "clip").with("autoencoder_model", "vqgan")
        .with("dim", 128).with("heads", 4).with("layers", 6).with("mlp_ratio", 4).with("prefix_length", 16)
        .with("condition_dropout", 0.1).with("kv_cache", true)
        .with("learning_rate", 5e-4).with("batch_size", 64);
  }

  public static GptConfig from(ModelConfig c) {
    ModelConfig text = FrozenEncoder.section(c);
    ModelConfig ae = FrozenAutoencoder.MODEL.section(c);
    GptConfig g = new GptConfig(c.getPositiveInt("dim", 128), c.getPositiveInt("heads", 4), c.getPositiveInt("layers", 6),
        c.getPositiveInt("mlp_ratio", 4), c.getPositiveInt("prefix_length", 16), c.getDouble("condition_dropout", 0.1),
        text.getPositiveInt("embed_dim", 64), FrozenAutoencoder.gridSize(ae), FrozenAutoencoder.codebookSize(ae), c.getBoolean("kv_cache", true));
    if (g.dim % g.heads != 0) {
      throw new TesseraException(c.source() + ": dim " + g.dim + " is not divisible by heads " + g.heads);
    }
    if (g.conditionDropout < 0 || g.conditionDropout >= 1) {
      throw new TesseraException(c.source() + ": condition_dropout must be in [0, 1), got " + g.conditionDropout);
    }
    return g;
  }

  /** Codes per image. */
  public int codes() {
    return gridSize * gridSize;
  }

  /** Positions the transformer sees: the prefix, then every code but the last (the last prefix position predicts the first code). */
  public int sequenceLength() {
    return prefixLength + codes() - 1;
  }
}
