package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.layers.ConvTranspose2d;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.StepHook;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A two-layer 4x4 autoencoder: the smallest model that exercises the whole trainer. */
class TinyAutoencoderModel implements TrainableModel {
  private final StepHook hook;

  TinyAutoencoderModel() {
    this(null);
  }

  TinyAutoencoderModel(StepHook hook) {
    this.hook = hook;
  }

  @Override
  public String name() {
    return "tiny";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ModelConfig.empty().with("image_size", 4).with("channels", 1).with("batch_size", 4).with("learning_rate", 0.01);
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    Operand<TFloat32> mse = reconstructionError(scope.child("tiny"), inputs.images());
    return new TrainingGraph(mse, Map.of("mse", mse), scope.variables().trainable("tiny"), List.of(), hook);
  }

  /** The tiny autoencoder (conv 1->2 stride 2, ReLU, transposed conv back) and its mean squared error on {@code images}. */
  static Operand<TFloat32> reconstructionError(GraphScope s, Operand<TFloat32> images) {
    Ops tf = s.tf();
    Operand<TFloat32> h = tf.nn.relu(new Conv2d(s.child("enc"), 1, 2, 3, 2).apply(images));
    Operand<TFloat32> out = new ConvTranspose2d(s.child("dec"), 2, 1, 3, 2).apply(h);
    return tf.math.mean(tf.math.squaredDifference(out, images), tf.constant(new int[] {0, 1, 2, 3}));
  }
}
