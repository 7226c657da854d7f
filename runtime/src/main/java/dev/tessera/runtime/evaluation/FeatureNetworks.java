package dev.tessera.runtime.evaluation;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.TrainableModel;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's own feature networks for FID: evaluator models trained on real data (the
 * evaluator plugin's Fashion-MNIST and Twemoji classifiers), and the one whose shipped weights
 * take images of a given size and channel count. An evaluator's config.json names its
 * "image_size", "channels" and "features" encoder.
 */
public final class FeatureNetworks {
  /** The evaluator models, in the order they are tried. */
  public static final List<String> MODELS = List.of("fashion-classifier", "twemoji-classifier");

  /**
   * A feature network.
   *
   * @param name the evaluator model's name
   * @param folder the weights folder it was read from, or null for the model's shipped weights
   */
  public record Choice(String name, String folder, ModelWeights weights) {
    /** For output: "twemoji-classifier features" (shipped) or "... features, weights from DIR". */
    public String describe() {
      return name + " features" + (folder == null ? "" : ", weights from " + folder);
    }
  }

  /** The network picked, or null and why none fits. */
  public record Selection(Choice choice, String whyNone) {}

  private FeatureNetworks() {}

  /** The first evaluator of {@link #MODELS} whose shipped weights take size x size x channels images. */
  public static Selection forImages(ComponentLookup components, int size, int channels) {
    List<String> tried = new ArrayList<>();
    for (String name : MODELS) {
      TrainableModel model;
      try {
        model = components.model(name);
      } catch (TesseraException e) {
        tried.add(name + ": not loaded");
        continue;
      }
      ModelWeights w = model.shippedWeights();
      if (w == null) {
        tried.add(name + ": ships no weights");
        continue;
      }
      if (takes(w.config(), size, channels)) {
        return new Selection(new Choice(name, null, w), null);
      }
      tried.add(name + ": " + shape(w.config()));
    }
    return new Selection(null, "no feature network for " + size + "x" + size + "x" + channels + " images ships (" + String.join("; ", tried)
        + ")");
  }

  /**
   * An evaluator's weights from a folder (a trained run), checked to be an evaluator that takes
   * size x size x channels images.
   */
  public static Choice fromWeights(ModelWeights weights, String where, int size, int channels) {
    if (!weights.config().has("features")) {
      throw new TesseraException(where + ": not an evaluator's weights (its config.json names no 'features' encoder; evaluators: "
          + String.join(", ", MODELS) + ")");
    }
    if (!takes(weights.config(), size, channels)) {
      throw new TesseraException(where + ": this evaluator takes " + shape(weights.config()) + " images, the images are " + size + "x" + size
          + "x" + channels);
    }
    return new Choice(weights.config().getString("model", "evaluator"), where, weights);
  }

  private static boolean takes(ModelConfig config, int size, int channels) {
    return config.getInt("image_size", 28) == size && config.getInt("channels", 1) == channels;
  }

  private static String shape(ModelConfig config) {
    int s = config.getInt("image_size", 28);
    return s + "x" + s + "x" + config.getInt("channels", 1);
  }
}
