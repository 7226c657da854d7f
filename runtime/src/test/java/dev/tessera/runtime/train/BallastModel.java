package dev.tessera.runtime.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The tiny autoencoder plus a trained 1024x1024 matrix that only adds a small weight-decay term:
 * a checkpoint of 16 MB (weights and two Adam moments), so writing one takes long enough for a
 * kill to land in the middle of it.
 */
final class BallastModel implements TrainableModel {
  static final int BALLAST = 1024;

  @Override
  public String name() {
    return "ballast";
  }

  @Override
  public ModelConfig defaultConfig() {
    return ModelConfig.empty().with("image_size", 4).with("channels", 1).with("batch_size", 4).with("learning_rate", 0.01);
  }

  @Override
  public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
    Ops tf = scope.tf();
    GraphScope s = scope.child("ballast");
    Operand<TFloat32> mse = TinyAutoencoderModel.reconstructionError(s, inputs.images());
    Operand<TFloat32> w = s.child("matrix").parameter("w", new long[] {BALLAST, BALLAST}, dev.tessera.api.graph.Initializers.normal(0.02));
    Operand<TFloat32> decay = tf.math.mul(tf.constant(1e-4f), tf.math.mean(tf.math.mul(w, w), tf.constant(new int[] {0, 1})));
    Operand<TFloat32> loss = tf.math.add(mse, decay);
    return new TrainingGraph(loss, Map.of("mse", mse), scope.variables().trainable("ballast"), List.of(), null);
  }

  /** The same 64 random images in every process. */
  static Dataset data() {
    SplittableRandom r = new SplittableRandom(11);
    float[] px = new float[64 * 16];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return Dataset.unlabeled("random", new ImageBatch(64, 4, 4, 1, px));
  }

  static TrainOptions options(java.nio.file.Path dir, long steps, boolean resume) {
    return TrainOptions.defaults(dir).withSteps(steps).withCheckpointEvery(1).withResume(resume);
  }

  /** Trains in this process: {@code DIR STEPS [--resume]}; the crash test runs and kills it. */
  public static void main(String[] args) {
    java.nio.file.Path dir = java.nio.file.Path.of(args[0]);
    long steps = Long.parseLong(args[1]);
    boolean resume = args.length > 2 && args[2].equals("--resume");
    java.io.PrintWriter out = new java.io.PrintWriter(System.out, true);
    new Trainer(out).train(new BallastModel(), ModelConfig.empty(), data(), options(dir, steps, resume));
    out.flush();
  }
}
