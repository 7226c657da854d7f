package dev.tessera.api.testing;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.train.AdamOptimizer;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains a model for a few Adam steps on one fixed batch and returns the loss of every step:
 * the "a few steps reduce its loss" test every model has, without the runtime's trainer.
 */
public final class TrainingSteps {
  private TrainingSteps() {}

  /**
   * @param images NHWC values for {@code imageShape}
   * @param labels one per image
   * @param tokens [N, textLength] ids for models that read text, else null
   */
  public static float[] run(TrainableModel model, ModelConfig config, long[] imageShape, float[] images, int[] labels,
      int[] tokens, double learningRate, int steps) {
    return run(model, config, null, imageShape, images, labels, tokens, learningRate, steps);
  }

  /** As above, for a model composed of other components (given by {@code components}, may be null). */
  public static float[] run(TrainableModel model, ModelConfig config, dev.tessera.api.spi.ComponentLookup components,
      long[] imageShape, float[] images, int[] labels, int[] tokens, double learningRate, int steps) {
    return runWithPhases(model, config, components, imageShape, images, labels, tokens, learningRate, steps).get("loss");
  }

  /**
   * As above, also running each {@link TrainingGraph.Phase} (a GAN's discriminator) with its own
   * Adam after the main step, as the trainer does. Returns the main losses under "loss" and each
   * phase's under its name (NaN before the phase starts).
   */
  public static java.util.Map<String, float[]> runWithPhases(TrainableModel model, ModelConfig config,
      dev.tessera.api.spi.ComponentLookup components, long[] imageShape, float[] images, int[] labels, int[] tokens, double learningRate,
      int steps) {
    java.util.Map<String, float[]> losses = new java.util.LinkedHashMap<>();
    losses.put("loss", new float[steps]);
    int textLength = model.textLength(config);
    try (Graph g = new Graph()) {
      GraphScope scope = GraphScope.root(g);
      Placeholder<TFloat32> x = scope.tf().placeholder(TFloat32.class,
          Placeholder.shape(Shape.of(-1, imageShape[1], imageShape[2], imageShape[3])));
      Placeholder<TInt32> y = scope.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Placeholder<TInt32> t = textLength > 0 ? scope.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, textLength))) : null;
      Placeholder<TInt64> seed = scope.tf().placeholder(TInt64.class, Placeholder.shape(Shape.of(2)));
      TrainingGraph tg = model.buildTraining(new dev.tessera.api.train.TrainingContext(scope, config, new TrainingInputs(x, y, t, seed), components));
      AdamOptimizer adam = new AdamOptimizer(scope, "optimizer", tg.loss(), tg.trainable(), AdamOptimizer.Config.defaults(learningRate));
      java.util.List<Op> batchUpdates = dev.tessera.api.train.BatchUpdate.buildAlone(tg.batchUpdates(), scope.tf());
      java.util.List<AdamOptimizer> phaseAdams = new java.util.ArrayList<>();
      for (TrainingGraph.Phase phase : tg.phases()) {
        phaseAdams.add(new AdamOptimizer(scope, "optimizer_" + phase.name(), phase.loss(), phase.trainable(), AdamOptimizer.Config.defaults(learningRate)));
        float[] none = new float[steps];
        java.util.Arrays.fill(none, Float.NaN);
        losses.put(phase.name(), none);
      }
      try (Session s = new Session(g);
          TFloat32 xb = Tensors.floats(imageShape, images);
          TInt32 yb = Tensors.ints(new long[] {labels.length}, labels);
          TInt32 tb = t == null ? null : Tensors.ints(new long[] {imageShape[0], textLength}, tokens)) {
        scope.variables().initialize(s, 1);
        for (int i = 0; i < steps; i++) {
          try (TInt64 seedNow = TInt64.vectorOf(TrainingInputs.stepSeed(1, i + 1))) {
            java.util.function.Supplier<Session.Runner> fed = () -> {
              Session.Runner r = s.runner().feed(x, xb).feed(y, yb).feed(seed, seedNow);
              return t == null ? r : r.feed(t, tb);
            };
            Session.Runner r = fed.get().addTarget(adam.update()).fetch(tg.loss());
            for (Op u : tg.updates()) {
              r.addTarget(u);
            }
            batchUpdates.forEach(r::addTarget);
            tg.averages().forEach(r::addTarget);
            try (Result res = r.run()) {
              losses.get("loss")[i] = Tensors.toScalar(res.get(0));
            }
            for (int p = 0; p < tg.phases().size(); p++) {
              TrainingGraph.Phase phase = tg.phases().get(p);
              if (i + 1 > phase.startStep()) {
                try (Result res = fed.get().addTarget(phaseAdams.get(p).update()).fetch(phase.loss()).run()) {
                  losses.get(phase.name())[i] = Tensors.toScalar(res.get(0));
                }
              }
            }
          }
        }
      }
    }
    return losses;
  }

  /** Mean of losses[from, to): compare the first steps with the last. */
  public static double mean(float[] losses, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += losses[i];
    }
    return s / (to - from);
  }
}
