package dev.tessera.runtime.bench;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.runtime.tf.SessionFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Timed workloads. Each returns the median milliseconds per iteration after warm-up. */
public final class Benchmarks {
  private Benchmarks() {}

  /** A timing: median and all samples in ms. */
  public record Timing(double medianMs, double[] samplesMs) {
    static Timing of(double[] ms) {
      double[] s = ms.clone();
      Arrays.sort(s);
      double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
      return new Timing(median, ms);
    }
  }

  /** float32 n x n @ n x n with both operands held in graph variables (nothing fed or fetched). */
  public static Timing matmul(int n, int warmup, int iterations) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Variable<TFloat32> a = scope.parameter("a", new long[] {n, n}, Initializers.uniform(1));
      Variable<TFloat32> b = scope.parameter("b", new long[] {n, n}, Initializers.uniform(1));
      Operand<TFloat32> c = scope.tf().linalg.matMul(a, b);
      try (Session s = SessionFactory.create(g)) {
        scope.variables().initialize(s, 1);
        return time(warmup, iterations, () -> s.runner().addTarget(c).run().close());
      }
    }
  }

  public static double matmulFlops(int n) {
    return 2.0 * n * n * n;
  }

  /** One full training step (forward, backward, Adam, model updates) on a fixed fed batch. */
  public static Timing trainStep(TrainableModel model, ModelConfig config, int batch, int warmup, int iterations) {
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> x = scope.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      Placeholder<TInt32> y = scope.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      int textLength = model.textLength(config);
      Placeholder<TInt32> t = textLength > 0
          ? scope.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, textLength))) : null;
      TrainingGraph tg = model.buildTraining(new dev.tessera.api.train.TrainingContext(scope, config, new TrainingInputs(x, y, t), null));
      AdamOptimizer adam = new AdamOptimizer(scope, "optimizer", tg.loss(), tg.trainable(), AdamOptimizer.Config.defaults(1e-4));
      float[] pixels = new float[batch * size * size * channels];
      SplittableRandom r = new SplittableRandom(7);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) r.nextDouble();
      }
      // Captions of random ids ending in the largest id (an end token) for models that read text.
      int[] ids = new int[Math.max(1, batch * textLength)];
      for (int i = 0; i < batch * textLength; i++) {
        ids[i] = i % textLength == textLength - 1 ? 49407 : 1 + r.nextInt(40000);
      }
      try (Session s = SessionFactory.create(g);
          TFloat32 xb = Tensors.floats(new long[] {batch, size, size, channels}, pixels);
          TInt32 yb = Tensors.ints(new long[] {batch}, new int[batch]);
          TInt32 tb = textLength > 0 ? Tensors.ints(new long[] {batch, textLength}, ids) : null) {
        scope.variables().initialize(s, 1);
        return time(warmup, iterations, () -> {
          Session.Runner runner = s.runner().feed(x, xb).feed(y, yb).addTarget(adam.update()).fetch(tg.loss());
          if (t != null) {
            runner.feed(t, tb);
          }
          for (Op u : tg.updates()) {
            runner.addTarget(u);
          }
          runner.run().close();
        });
      }
    }
  }

  /** The U-Net of the workloads: (32, 64, 128) at 32/16/8, 2 blocks, GroupNorm(8), time embedding 128, attention at 8x8. */
  public static final dev.tessera.api.layers.UNet.Config BENCH_UNET =
      new dev.tessera.api.layers.UNet.Config(1, new int[] {32, 64, 128}, 2, new int[0], 32, 0, 8, 4);

  /**
   * One epsilon-prediction training step of a U-Net: x_t = sqrt(a) x0 + sqrt(1 - a) noise is fed
   * with t and the noise, loss = mean((eps_hat - noise)^2), Adam.
   */
  public static Timing unetTrain(dev.tessera.api.layers.UNet.Config config, int batch, int size, int warmup, int iterations) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, config.imageChannels())));
      Placeholder<TFloat32> t = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TFloat32> noise = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, config.imageChannels())));
      Operand<TFloat32> eps = new dev.tessera.api.layers.UNet(scope.child("unet"), config).apply(x, t, null);
      Operand<TFloat32> loss = tf.math.mean(tf.math.squaredDifference(eps, noise), tf.constant(new int[] {0, 1, 2, 3}));
      AdamOptimizer adam = new AdamOptimizer(scope, "optimizer", loss, scope.variables().trainable("unet"), AdamOptimizer.Config.defaults(1e-4));
      SplittableRandom r = new SplittableRandom(5);
      int n = batch * size * size * config.imageChannels();
      float[] steps = new float[batch];
      for (int i = 0; i < batch; i++) {
        steps[i] = r.nextInt(1000);
      }
      try (Session s = SessionFactory.create(g);
          TFloat32 xb = Tensors.floats(new long[] {batch, size, size, config.imageChannels()}, dev.tessera.api.sampling.Scheduler.gaussian(n, r));
          TFloat32 nb = Tensors.floats(new long[] {batch, size, size, config.imageChannels()}, dev.tessera.api.sampling.Scheduler.gaussian(n, r));
          TFloat32 tb = Tensors.floats(new long[] {batch}, steps)) {
        scope.variables().initialize(s, 1);
        return time(warmup, iterations, () -> s.runner().feed(x, xb).feed(t, tb).feed(noise, nb).addTarget(adam.update()).fetch(loss).run().close());
      }
    }
  }

  /**
   * A 50-step DDIM run of the U-Net at one batch: each step feeds the sample and fetches the
   * predicted noise (the sampling loop lives in Java). Returns the time of one whole run.
   */
  public static Timing unetSample(dev.tessera.api.layers.UNet.Config config, int batch, int size, int samplingSteps, int warmup, int iterations) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, config.imageChannels())));
      Placeholder<TFloat32> t = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> eps = new dev.tessera.api.layers.UNet(scope.child("unet"), config).apply(x, t, null);
      dev.tessera.api.sampling.NoiseSchedule schedule = dev.tessera.api.sampling.NoiseSchedule.linear(1000, 1e-4, 0.02);
      try (Session s = SessionFactory.create(g)) {
        scope.variables().initialize(s, 1);
        return time(warmup, iterations, () -> {
          dev.tessera.api.sampling.Scheduler ddim = new dev.tessera.api.sampling.DdimScheduler(schedule, 0);
          ddim.setTimesteps(samplingSteps);
          float[] ts = new float[batch];
          dev.tessera.api.sampling.SamplingLoop.run(ddim, batch * size * size * config.imageChannels(), (sample, step) -> {
            java.util.Arrays.fill(ts, step);
            try (TFloat32 xb = Tensors.floats(new long[] {batch, size, size, config.imageChannels()}, sample);
                TFloat32 tb = Tensors.floats(new long[] {batch}, ts);
                org.tensorflow.Result res = s.runner().feed(x, xb).feed(t, tb).fetch(eps).run()) {
              return Tensors.toFloats(res.get(0));
            }
          }, new SplittableRandom(9), null);
        });
      }
    }
  }

  static Timing time(int warmup, int iterations, Runnable work) {
    for (int i = 0; i < warmup; i++) {
      work.run();
    }
    double[] ms = new double[iterations];
    for (int i = 0; i < iterations; i++) {
      long t0 = System.nanoTime();
      work.run();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    return Timing.of(ms);
  }
}
