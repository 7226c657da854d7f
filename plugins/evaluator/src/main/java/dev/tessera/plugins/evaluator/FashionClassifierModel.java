package dev.tessera.plugins.evaluator;

import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ShippedWeightSets;
import java.util.Map;
import org.pf4j.Extension;

/** The evaluator's classifier of the 10 Fashion-MNIST classes, 28x28 grey (docs/model-cards/evaluator.md). */
@Extension
public class FashionClassifierModel extends ClassifierModel {
  public static final String SHIPPED = "tessera/weights/evaluator/fashion-mnist";

  @Override
  public String name() {
    return "fashion-classifier";
  }

  @Override
  public String description() {
    return "Fashion-MNIST CNN classifier; its features serve FID";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ModelConfig.empty().with("model", "fashion-classifier").with("scope", "evaluator").with("encoder", "fashion-classifier")
        .with("features", "fashion-features").with("image_size", 28).with("channels", 1)
        .with("learning_rate", 1e-3).with("batch_size", 128);
  }

  @Override
  public ShippedWeightSets shippedWeightSets() {
    return new ShippedWeightSets(FashionClassifierModel.class, SHIPPED, Map.of());
  }
}
