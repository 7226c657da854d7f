package dev.tessera.api.spi;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;

/**
 * A model the trainer can train by name ({@code ./tessera train vqvae}). It builds its loss into
 * a graph; the runtime's trainer owns the loop, the optimizer, checkpoints and progress.
 * Its {@code config.json} names the components it is made of ("encoder", "quantizer",
 * "decoder"), so pipelines can compose the trained model's parts by name.
 */
public interface TrainableModel extends Component {

  /** Hyper-parameters used when the user gives none; the trainer saves them as config.json. */
  ModelConfig defaultConfig();

  /** Builds the loss of a model made of its own plugin's parts. Override this or {@link #buildTraining(TrainingContext)}. */
  default TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    throw new UnsupportedOperationException("model '" + name() + "' builds its training graph from a TrainingContext");
  }

  /**
   * Builds the loss with access to other plugins' components (for example a frozen CLIP text
   * encoder); the trainer calls this one. By default it ignores the components.
   */
  default TrainingGraph buildTraining(dev.tessera.api.train.TrainingContext context) {
    return buildTraining(context.scope(), context.config(), context.inputs());
  }

  /**
   * Completes a fresh config with what the model takes from other plugins, for example the
   * config of the pretrained CLIP text encoder it is conditioned on (nested under a key), so the
   * saved config.json describes the whole model. Called once before training from scratch, before
   * {@link #tokenizer} and {@link #textLength} are asked; by default returns the config unchanged.
   */
  default ModelConfig resolveComponents(ModelConfig config, ComponentLookup components) {
    return config;
  }

  /**
   * Name of the tokenizer whose ids this model reads captions in, or null when it reads no text.
   * The trainer then feeds {@code TrainingInputs.tokens}: one caption per image, drawn afresh each
   * step, tokenized and cut to {@link #textLength} ids (keeping the end token).
   */
  default String tokenizer(ModelConfig config) {
    return null;
  }

  /**
   * Adapts a fresh config to the training captions before training from scratch, for settings
   * that depend on the text (for example which token ids need embedding rows). Called with a
   * sample of the captions the trainer will draw; the result is saved as config.json.
   */
  default ModelConfig adaptToCaptions(ModelConfig config, java.util.List<dev.tessera.api.types.TokenIds> captions) {
    return config;
  }

  /**
   * Why a batch's loss is not the mean of the losses of its parts, or null (the default): data-parallel
   * workers each compute the loss of their part of the batch, so a model whose loss couples the
   * examples (a contrastive loss over the batch's pairs) would train something else on a cluster,
   * and the trainer refuses it there with this reason. A model that builds such a loss from the
   * whole batch's rows ({@link dev.tessera.api.train.WholeBatchLoss}, as CLIP does) splits.
   */
  default String unsplittableReason(ModelConfig config) {
    return null;
  }

  /**
   * Adapts the config to the class labels of the training data, for models that read
   * {@code TrainingInputs.labels}: a classifier records how many classes it has and their names
   * (label i is {@code classNames.get(i)}), so the saved config.json says what its outputs mean.
   * Called before every run, fresh or resumed (a resumed run should refuse data whose classes
   * differ from the saved ones); {@code classNames} is empty when the data set has no named
   * classes. By default returns the config unchanged.
   */
  default ModelConfig adaptToLabels(ModelConfig config, java.util.List<String> classNames) {
    return config;
  }

  /** Token ids per caption the model takes (0 when it reads no text). */
  default int textLength(ModelConfig config) {
    return 0;
  }

  /**
   * Forward-pass FLOPs (2 x multiply-adds of convolutions and matmuls) for one example, or -1 when
   * unknown. Benchmarks divide by measured time to report achieved GFLOP/s.
   */
  default long forwardFlopsPerExample(ModelConfig config) {
    return -1;
  }

  /**
   * Converts weights saved by another framework (a folder on the user's disk, in the named
   * {@code format}, e.g. "huggingface") into this model's config and parameter names.
   */
  default ModelWeights importWeights(java.nio.file.Path source, String format) {
    throw new dev.tessera.api.TesseraException("model '" + name() + "' cannot import weights in format '" + format + "'");
  }

  /**
   * The weight sets the plugin ships for this model, the default and named variants; null when
   * none ship. The three methods below read it, so a model usually overrides only this one.
   */
  default dev.tessera.api.io.ShippedWeightSets shippedWeightSets() {
    return null;
  }

  /** The weights shipped inside the plugin, or null when none ship. */
  default ModelWeights shippedWeights() {
    dev.tessera.api.io.ShippedWeightSets sets = shippedWeightSets();
    return sets == null ? null : sets.get(null);
  }

  /**
   * Other weight sets the plugin ships for this model (another data set, another size), by name:
   * {@code shippedWeights("twemoji")} is what {@code --model clip:twemoji} runs. Null or empty is
   * {@link #shippedWeights()}; a name the model does not ship gives null.
   */
  default ModelWeights shippedWeights(String variant) {
    if (variant == null || variant.isEmpty()) {
      return shippedWeights();
    }
    dev.tessera.api.io.ShippedWeightSets sets = shippedWeightSets();
    return sets == null ? null : sets.get(variant);
  }

  /** The names {@link #shippedWeights(String)} knows besides the default, for listings and errors. */
  default java.util.List<String> weightVariants() {
    dev.tessera.api.io.ShippedWeightSets sets = shippedWeightSets();
    return sets == null ? java.util.List.of() : sets.variants();
  }
}
