package dev.tessera.plugins.evaluator;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.ClassificationLoss;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * An evaluator classifier ({@link ClassifierNetwork}) trained with cross-entropy on the class
 * labels of its training data; each data set it ships weights for is its own model (name,
 * defaults, weights), the network and the training are this class's.
 */
abstract class ClassifierModel implements TrainableModel {
  /** Labelled data sets, for the message when the data has none. */
  static final String LABELLED_DATA = "fashion-mnist, twemoji-subcategories";

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    return ClassifierNetwork.flops(config);
  }

  /**
   * Records the classes of the training data ("classes", "class_names"). A config that already
   * names classes (a resumed run, a --config file) must name the same ones.
   */
  @Override
  public ModelConfig adaptToLabels(ModelConfig config, List<String> classNames) {
    if (classNames.isEmpty()) {
      throw new TesseraException("model '" + name() + "' trains on class labels, and the training data has none (labelled data sets: "
          + LABELLED_DATA + ")");
    }
    ClassifierNetwork.Spec saved = ClassifierNetwork.Spec.of(config);
    if (!saved.classNames().isEmpty() && !saved.classNames().equals(classNames)) {
      throw new TesseraException("model '" + name() + "': the config names " + saved.classes() + " classes " + preview(saved.classNames())
          + ", the training data has " + classNames.size() + " " + preview(classNames) + ": train on the data it was started with");
    }
    if (saved.classNames().isEmpty() && config.has("classes") && saved.classes() != classNames.size()) {
      throw new TesseraException("model '" + name() + "': the config says classes=" + saved.classes() + ", the training data has "
          + classNames.size() + " classes");
    }
    return config.with("classes", classNames.size()).with("class_names", classNames);
  }

  private static String preview(List<String> names) {
    return names.size() <= 4 ? names.toString() : names.subList(0, 4).toString().replace("]", ", ...]");
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    Ops tf = scope.tf();
    GraphScope model = scope.child(config.getString("scope", "evaluator"));
    Operand<TFloat32> logits = ClassifierNetwork.logits(model, config, ClassifierNetwork.features(model, config, inputs.images()));
    Operand<TFloat32> loss = ClassificationLoss.crossEntropy(tf, logits, inputs.labels(), ClassifierNetwork.Spec.of(config).classes());
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", ClassificationLoss.accuracy(tf, logits, inputs.labels()));
    return new TrainingGraph(loss, metrics, scope.variables().trainable(model.path()), List.of(), null);
  }
}
