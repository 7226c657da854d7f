package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.Conv2d;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.train.WholeBatchLoss;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * Two tiny encoders of a 4x4 image (a convolution each) whose loss couples the batch's examples as
 * CLIP's does: each example's first embedding against every example's second and the other way,
 * softmax cross-entropy towards its own, plus a scale parameter used outside the rows. With {@code gathered}
 * the loss is a {@link WholeBatchLoss}; without, each replica computes it over its own part only
 * (what a cluster did before), which trains something else.
 */
final class TinyContrastiveModel implements TrainableModel {
  private final boolean gathered;

  TinyContrastiveModel(boolean gathered) {
    this.gathered = gathered;
  }

  @Override
  public String name() {
    return "tiny-contrastive";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ModelConfig.empty().with("image_size", 4).with("channels", 1).with("batch_size", 4).with("learning_rate", 0.05);
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    GraphScope s = scope.child("tiny");
    Ops tf = scope.tf();
    Operand<TFloat32> a = tf.reshape(new Conv2d(s.child("a"), 1, 3, 3, 2).apply(inputs.images()), tf.constant(new long[] {-1, 12}));
    Operand<TFloat32> b = tf.reshape(new Conv2d(s.child("b"), 1, 3, 3, 2).apply(inputs.images()), tf.constant(new long[] {-1, 12}));
    Operand<TFloat32> logScale = s.weight("log_scale", new long[0], dev.tessera.api.graph.Initializers.zeros());
    var trainable = scope.variables().trainable("tiny");
    WholeBatchLoss.Builder loss = batch -> {
      Operand<TFloat32> logits = tf.math.mul(tf.linalg.matMul(batch.rows("a"), batch.rows("b"), MatMul.transposeB(true)), tf.math.exp(logScale));
      // both directions, as CLIP's: in one alone, a bias on the other side's embedding has no gradient but rounding
      // noise, which Adam turns into steps of full size
      Operand<TFloat32> logProbs = tf.math.add(tf.nn.logSoftmax(logits), tf.nn.logSoftmax(tf.linalg.transpose(logits, tf.constant(new int[] {1, 0}))));
      Operand<org.tensorflow.types.TInt32> n = tf.reshape(tf.slice(tf.shape(logits), tf.constant(new int[] {0}), tf.constant(new int[] {1})),
          tf.constant(new int[0]));
      Operand<TFloat32> own = tf.oneHot(tf.range(tf.constant(0), n, tf.constant(1)), n, tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> l = tf.math.neg(tf.math.mean(tf.reduceSum(tf.math.mul(logProbs, own), tf.constant(1)), tf.constant(0)));
      return new TrainingGraph(l, Map.of("loss", l), trainable, List.of(), null);
    };
    WholeBatchLoss whole = new WholeBatchLoss(scope, Map.of("a", a, "b", b), loss);
    return gathered ? whole.alone() : whole.alone().withWholeBatch(null);
  }
}
