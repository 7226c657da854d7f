package dev.tessera.plugins.diffusion;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.PixelRange;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.ClassificationLoss;
import dev.tessera.api.train.NoisedBatch;
import dev.tessera.api.train.StepRandom;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The classifier behind classifier guidance ({@code ./tessera train noisy-classifier}): each step
 * noises every training image to a random timestep of the diffusion model's schedule and trains
 * {@link NoisyClassifier} with cross-entropy on its class label. Its schedule must be the guided
 * model's (both default to cosine, 1000 steps).
 */
@Extension
public class NoisyClassifierModel implements TrainableModel {
  public static final String SHIPPED = "tessera/weights/diffusion/noisy-classifier";

  @Override
  public String name() {
    return ClassifierGuidance.NAME;
  }

  @Override
  public String description() {
    return "time-conditioned classifier of noised images, for classifier guidance";
  }

  @Override
  public ModelConfig defaultConfig() {
    return NoisyClassifierConfig.defaults();
  }

  @Override
  public long forwardFlopsPerExample(ModelConfig config) {
    return NoisyClassifier.flops(NoisyClassifierConfig.from(config));
  }

  @Override
  public TrainingGraph buildTraining(TrainingContext context) {
    ModelConfig config = context.config();
    NoisyClassifierConfig c = NoisyClassifierConfig.from(config);
    TrainingInputs in = context.inputs();
    GraphScope scope = context.scope().child(config.getString("scope", "noisy_classifier"));
    Ops tf = scope.tf();
    Operand<TFloat32> x0 = PixelRange.toSigned(tf, in.images());
    StepRandom random = in.random(tf);
    NoisedBatch noised = NoisedBatch.draw(tf, random, c.schedule(), x0, 4);
    Operand<TFloat32> logits = NoisyClassifier.logits(scope, c, noised.noisy(), noised.timestepsAsFloats(tf));
    Operand<TFloat32> loss = ClassificationLoss.crossEntropy(tf, logits, in.labels(), c.classes());
    Map<String, Operand<TFloat32>> metrics = new LinkedHashMap<>();
    metrics.put("accuracy", ClassificationLoss.accuracy(tf, logits, in.labels()));
    return new TrainingGraph(loss, metrics, scope.variables().trainable(scope.path()), List.of(), null);
  }

  @Override
  public ModelWeights shippedWeights() {
    return ModelWeights.shipped(NoisyClassifierModel.class, SHIPPED);
  }
}
