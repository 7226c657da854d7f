package dev.tessera.plugins.evaluator;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.ClassificationLoss;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The evaluator's classifier, trained with cross-entropy on the Fashion-MNIST training labels. */
@Extension
public class FashionClassifierModel implements TrainableModel {
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
  public long forwardFlopsPerExample(ModelConfig config) {
    return FashionNetwork.flops();
  }

  @Override
  public ModelWeights shippedWeights() {
    return ModelWeights.shipped(getClass(), SHIPPED);
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    Ops tf = scope.tf();
    GraphScope model = scope.child(config.getString("scope", "evaluator"));
    Operand<TFloat32> logits = FashionNetwork.logits(model, FashionNetwork.features(model, inputs.images()));
    Operand<TFloat32> loss = ClassificationLoss.crossEntropy(tf, logits, inputs.labels(), FashionNetwork.CLASSES);
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", ClassificationLoss.accuracy(tf, logits, inputs.labels()));
    return new TrainingGraph(loss, metrics, scope.variables().trainable(model.path()), List.of(), null);
  }
}
