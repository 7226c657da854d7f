package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** The tiny autoencoder plus a second loss over its own variable from step 3 on: the smallest model with a phase. */
final class TinyPhaseModel implements TrainableModel {
  @Override
  public String name() {
    return "tiny-phase";
  }

  @Override
  public ModelConfig defaultConfig() {
    return new TinyAutoencoderModel().defaultConfig();
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    TrainingGraph main = new TinyAutoencoderModel().buildTraining(scope, config, inputs);
    Ops tf = scope.tf();
    Operand<TFloat32> c = scope.child("critic").parameter("scale", new long[] {1}, Initializers.ones());
    Operand<TFloat32> criticLoss = tf.math.mean(tf.math.squaredDifference(tf.math.mul(inputs.images(), c), tf.constant(0.3f)),
        tf.constant(new int[] {0, 1, 2, 3}));
    TrainingGraph.Phase critic = new TrainingGraph.Phase("critic", criticLoss, scope.variables().trainable("critic"), 2, Map.of());
    return new TrainingGraph(main.loss(), main.metrics(), main.trainable(), List.of(), null, List.of(), List.of(critic));
  }
}
