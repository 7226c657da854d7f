package dev.tessera.runtime.bench;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.layers.UNet;
import dev.tessera.api.sampling.DdimScheduler;
import dev.tessera.api.sampling.NoiseSchedule;
import dev.tessera.api.sampling.SamplingLoop;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingContext;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import dev.tessera.api.graph.SessionFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Timed workloads. Each returns the median milliseconds per iteration after warm-up, the median
 * share of an iteration spent outside {@code Session.Runner.run}, and, when asked, writes the
 * per-op profile of one more (traced) iteration.
 */
public final class Benchmarks {
  private Benchmarks() {}

  /**
   * How to time a workload.
   *
   * @param profileDir where to write each workload's op profile (null: no profile)
   * @param feed how training batches reach the graph
   */
  public record Options(int warmup, int iterations, Path profileDir, BatchFeed.Mode feed) {
    public static Options of(int warmup, int iterations) {
      return new Options(warmup, iterations, null, BatchFeed.Mode.PER_STEP);
    }
  }

  /** A timing: median and all samples in ms, and the median share of an iteration outside session runs (NaN if not measured). */
  public record Timing(double medianMs, double[] samplesMs, double outsideRunShare) {
    static Timing of(double[] ms, double[] outside) {
      return new Timing(median(ms), ms, outside == null ? Double.NaN : median(outside));
    }
  }

  static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  /** float32 n x n @ n x n with both operands held in graph variables (nothing fed or fetched). */
  public static Timing matmul(int n, Options options) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Variable<TFloat32> a = scope.parameter("a", new long[] {n, n}, Initializers.uniform(1));
      Variable<TFloat32> b = scope.parameter("b", new long[] {n, n}, Initializers.uniform(1));
      Operand<TFloat32> c = scope.tf().linalg.matMul(a, b);
      try (Session s = SessionFactory.create(g)) {
        scope.variables().initialize(s, 1);
        SessionRuns runs = new SessionRuns();
        return time(options, null, g, runs, () -> runs.runAndClose(s.runner().addTarget(c)));
      }
    }
  }

  public static double matmulFlops(int n) {
    return 2.0 * n * n * n;
  }

  /** One full training step (forward, backward, Adam, model updates) of a model's training graph; fetches the loss only. */
  public static Timing trainStep(TrainableModel model, ModelConfig config, int batch, Options options, String name) {
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      BatchFeed feed = new BatchFeed(scope.tf(), options.feed());
      SplittableRandom r = new SplittableRandom(7);
      float[] pixels = new float[batch * size * size * channels];
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (float) r.nextDouble();
      }
      Operand<TFloat32> x = feed.floats(new long[] {batch, size, size, channels}, pixels);
      Operand<TInt32> y = feed.ints(new long[] {batch}, new int[batch]);
      int textLength = model.textLength(config);
      Operand<TInt32> t = null;
      if (textLength > 0) {
        // Captions of random ids ending in the largest id (an end token) for models that read text.
        int[] ids = new int[batch * textLength];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = i % textLength == textLength - 1 ? 49407 : 1 + r.nextInt(40000);
        }
        t = feed.ints(new long[] {batch, textLength}, ids);
      }
      TrainingGraph tg = model.buildTraining(new TrainingContext(scope, config, new TrainingInputs(x, y, t), null));
      AdamOptimizer adam = new AdamOptimizer(scope, "optimizer", tg.loss(), tg.trainable(), AdamOptimizer.Config.defaults(1e-4));
      List<Op> batchUpdates = dev.tessera.api.train.BatchUpdate.buildAlone(tg.batchUpdates(), scope.tf());
      return timeFedSteps(options, name, scope, feed, runner -> {
        runner.addTarget(adam.update()).fetch(tg.loss());
        for (Op u : tg.updates()) {
          runner.addTarget(u);
        }
        batchUpdates.forEach(runner::addTarget);
        tg.averages().forEach(runner::addTarget);
        return runner;
      });
    }
  }

  /**
   * One epsilon-prediction training step of a U-Net: x_t, t and the noise are inputs (fed or in
   * the graph), loss = mean((eps_hat - noise)^2), Adam; fetches the loss only.
   */
  public static Timing unetTrain(UNet.Config config, int batch, int size, Options options, String name) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      BatchFeed feed = new BatchFeed(tf, options.feed());
      SplittableRandom r = new SplittableRandom(5);
      int n = batch * size * size * config.imageChannels();
      long[] shape = {batch, size, size, config.imageChannels()};
      float[] steps = new float[batch];
      for (int i = 0; i < batch; i++) {
        steps[i] = r.nextInt(1000);
      }
      Operand<TFloat32> x = feed.floats(shape, Scheduler.gaussian(n, r));
      Operand<TFloat32> noise = feed.floats(shape, Scheduler.gaussian(n, r));
      Operand<TFloat32> t = feed.floats(new long[] {batch}, steps);
      Operand<TFloat32> eps = new UNet(scope.child("unet"), config).apply(x, t, null);
      Operand<TFloat32> loss = tf.math.mean(tf.math.squaredDifference(eps, noise), tf.constant(new int[] {0, 1, 2, 3}));
      AdamOptimizer adam = new AdamOptimizer(scope, "optimizer", loss, scope.variables().trainable("unet"), AdamOptimizer.Config.defaults(1e-4));
      return timeFedSteps(options, name, scope, feed, runner -> runner.addTarget(adam.update()).fetch(loss));
    }
  }

  /**
   * One 3x3 convolution (SAME, no bias, NHWC) over [batch, size, size, channels] to as many
   * channels, forward and both gradients (input and filter) of a mean-square loss: the kernels
   * that dominate a U-Net training step, timed alone so the two frameworks' convolutions can be
   * compared without the rest of the network.
   */
  public static Timing convLayer(int batch, int size, int channels, Options options, String name) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      BatchFeed feed = new BatchFeed(tf, options.feed());
      SplittableRandom r = new SplittableRandom(5);
      Operand<TFloat32> x = feed.floats(new long[] {batch, size, size, channels}, Scheduler.gaussian(batch * size * size * channels, r));
      dev.tessera.api.layers.Conv2d conv = new dev.tessera.api.layers.Conv2d(scope.child("conv"), channels, channels, 3, 1, "SAME", false);
      Operand<TFloat32> y = conv.apply(x);
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(y), tf.constant(new int[] {0, 1, 2, 3}));
      org.tensorflow.Output<?>[] grads = g.addGradients(loss.asOutput(), new org.tensorflow.Output<?>[] {x.asOutput(),
          scope.variables().trainable("conv").get(0).variable().asOutput()});
      return timeFedSteps(options, name, scope, feed, runner -> runner.fetch(grads[0]).fetch(grads[1]));
    }
  }

  /**
   * A DDIM run of the U-Net at one batch: each step feeds the sample and fetches the predicted
   * noise (the sampling loop lives in Java). Returns the time of one whole run.
   */
  public static Timing unetSample(UNet.Config config, int batch, int size, int samplingSteps, Options options, String name) {
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      var tf = scope.tf();
      Placeholder<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, config.imageChannels())));
      Placeholder<TFloat32> t = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> eps = new UNet(scope.child("unet"), config).apply(x, t, null);
      NoiseSchedule schedule = NoiseSchedule.linear(1000, 1e-4, 0.02);
      try (Session s = SessionFactory.create(g)) {
        scope.variables().initialize(s, 1);
        SessionRuns runs = new SessionRuns();
        return time(options, name, g, runs, () -> {
          Scheduler ddim = new DdimScheduler(schedule, 0);
          ddim.setTimesteps(samplingSteps);
          float[] ts = new float[batch];
          SamplingLoop.run(ddim, batch * size * size * config.imageChannels(), (sample, step) -> {
            Arrays.fill(ts, step);
            try (TFloat32 xb = Tensors.floats(new long[] {batch, size, size, config.imageChannels()}, sample);
                TFloat32 tb = Tensors.floats(new long[] {batch}, ts);
                Result res = runs.run(s.runner().feed(x, xb).feed(t, tb).fetch(eps))) {
              return Tensors.toFloats(res.get(0));
            }
          }, new SplittableRandom(9), null);
        });
      }
    }
  }

  /**
   * Times a step of the graph under {@code scope}: a fresh session, variables initialised, then
   * each iteration feeds the batch ({@code feed}) into a runner that {@code step} completes with
   * its targets and fetches, runs it and closes what it opened.
   */
  private static Timing timeFedSteps(Options options, String name, GraphScope scope, BatchFeed feed,
      java.util.function.UnaryOperator<Session.Runner> step) {
    Graph g = scope.graph();
    try (Session s = SessionFactory.create(g)) {
      scope.variables().initialize(s, 1);
      SessionRuns runs = new SessionRuns();
      return time(options, name, g, runs, () -> {
        List<Tensor> opened = new ArrayList<>();
        try {
          runs.runAndClose(step.apply(feed.feed(s.runner(), opened)));
        } finally {
          opened.forEach(Tensor::close);
        }
      });
    }
  }

  /**
   * Warm-up, then timed iterations (each with its share of time outside session runs), then, if
   * a profile folder is set and the workload is named, one traced iteration written there.
   */
  static Timing time(Options options, String name, Graph graph, SessionRuns runs, Runnable work) {
    for (int i = 0; i < options.warmup(); i++) {
      work.run();
    }
    double[] ms = new double[options.iterations()];
    double[] outside = new double[options.iterations()];
    for (int i = 0; i < options.iterations(); i++) {
      long inside0 = runs.insideNanos();
      long t0 = System.nanoTime();
      work.run();
      long total = System.nanoTime() - t0;
      ms[i] = total / 1e6;
      outside[i] = 1.0 - (double) (runs.insideNanos() - inside0) / total;
    }
    if (options.profileDir() != null && name != null) {
      OpProfile profile = new OpProfile(graph);
      runs.trace(profile);
      work.run();
      runs.trace(null);
      profile.write(options.profileDir(), name);
    }
    return Timing.of(ms, outside);
  }
}
