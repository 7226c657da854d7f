package dev.tessera.plugins.evaluator;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ShippedWeightSets;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The evaluator's classifier of Twemoji subcategories ("animal-mammal", "country-flag", ...),
 * 32x32 RGB: the feature network for FID between Twemoji images (docs/model-cards/evaluator.md).
 * Trained with {@code --dataset twemoji-subcategories}; the classes come from the data and are
 * recorded in its config.json.
 */
@Extension
public class TwemojiClassifierModel extends ClassifierModel {
  public static final String SHIPPED = "tessera/weights/evaluator/twemoji";

  @Override
  public String name() {
    return "twemoji-classifier";
  }

  @Override
  public String description() {
    return "Twemoji subcategory CNN classifier (32x32 RGB); its features serve FID";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ModelConfig.empty().with("model", "twemoji-classifier").with("scope", "evaluator").with("encoder", "twemoji-classifier")
        .with("features", "twemoji-features").with("image_size", 32).with("channels", 3)
        .with("learning_rate", 1e-3).with("batch_size", 128);
  }

  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(TwemojiClassifierModel.class, SHIPPED, Map.of());
  }
}
