package dev.tessera.api.testing;

import static dev.tessera.api.testing.ContractAssertions.assertClose;
import static dev.tessera.api.testing.ContractAssertions.SEED;
import static dev.tessera.api.testing.ContractAssertions.assertFinite;
import static dev.tessera.api.testing.ContractAssertions.assertShape;
import static dev.tessera.api.testing.ContractAssertions.assertVariablesUnder;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.sampling.FedRandomness;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.train.Gradients;
import dev.tessera.api.types.Condition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * What every {@link Guidance} must do. Every guidance combines predictions: at scale 1 the
 * conditional one comes back, and two equal predictions combine to themselves at any scale. A
 * score-based guidance (say so with {@link #imageShape()}) also scores each of N images with a
 * finite number, has a finite gradient with respect to the images that is not zero everywhere,
 * scores the same images the same when its random draws are fed
 * ({@link FedRandomness}), builds its variables only under its scope, and refuses a condition it
 * cannot use with a {@link TesseraException}. A guidance without a score says so with
 * {@link UnsupportedOperationException}.
 */
public abstract class GuidanceContract {
  static final long[] PREDICTION_SHAPE = {2, 4, 4, 1};

  /** The guidance under test (a new instance each call). */
  protected abstract Guidance guidance();

  /** A small config its score builds with. */
  protected ModelConfig config() {
    return ModelConfig.empty();
  }

  /** Tiny images [N, H, W, C] its score is built on; null for a guidance that only combines predictions. */
  protected long[] imageShape() {
    return null;
  }

  /** The condition the score is built for. */
  protected Condition condition() {
    return Condition.prompt("a photo of a shoe");
  }

  /** A condition its score cannot use and must refuse; null when it scores any condition. */
  protected Condition unusableCondition() {
    return null;
  }

  /** The scope the contract builds the score under. */
  protected static GraphScope scope(GraphRun run) {
    return run.root().child("guidance_under_test");
  }

  @Test
  public void nameIsAValidComponentName() {
    ComponentNames.assertValid("guidance", guidance().name());
    assertNotNull(guidance().description());
    float scale = guidance().defaultScale();
    assertTrue(Float.isFinite(scale) && scale >= 0, "defaultScale must be a finite number >= 0, got " + scale);
  }

  @Test
  public void atScaleOneTheConditionalPredictionComesBack() {
    try (GraphRun run = new GraphRun(SEED)) {
      float[] c = TinyBatch.uniform(1, PREDICTION_SHAPE, -1, 1);
      Operand<TFloat32> conditional = run.input("conditional", PREDICTION_SHAPE, c);
      Operand<TFloat32> unconditional = run.input("unconditional", PREDICTION_SHAPE, TinyBatch.uniform(2, PREDICTION_SHAPE, -1, 1));
      Operand<TFloat32> y = guidance().combine(run.root().child("combine"), conditional, unconditional, 1f);
      GraphRun.Values out = run.fetch(y);
      assertShape("combine", PREDICTION_SHAPE, y, out);
      assertClose("combine at scale 1 vs the conditional prediction", c, out.values(), 1e-6);
    }
  }

  @Test
  public void equalPredictionsCombineToThemselves() {
    float[] c = TinyBatch.uniform(1, PREDICTION_SHAPE, -1, 1);
    for (float scale : new float[] {0f, 2.5f, 7f}) {
      try (GraphRun run = new GraphRun(SEED)) {
        Operand<TFloat32> conditional = run.input("conditional", PREDICTION_SHAPE, c);
        Operand<TFloat32> unconditional = run.input("unconditional", PREDICTION_SHAPE, c);
        GraphRun.Values out = run.fetch(guidance().combine(run.root().child("combine"), conditional, unconditional, scale));
        assertClose("combine of equal predictions at scale " + scale, c, out.values(), 1e-5);
      }
    }
  }

  @Test
  public void aGuidanceWithoutAScoreSaysSo() {
    assumeTrue(imageShape() == null, "has a score");
    try (GraphRun run = new GraphRun(SEED)) {
      Placeholder<TFloat32> images = run.input("images", PREDICTION_SHAPE, new float[TinyBatch.elements(PREDICTION_SHAPE)]);
      assertThrows(UnsupportedOperationException.class, () -> guidance().score(scope(run), config(), images, condition()));
    }
  }

  @Test
  public void scoresEachImageWithAFiniteDifferentiableNumber() {
    long[] shape = imageShape();
    assumeTrue(shape != null, "only combines predictions");
    try (GraphRun run = new GraphRun(SEED)) {
      Placeholder<TFloat32> images = run.input("images", shape, TinyBatch.uniform(1, shape, 0, 1));
      Operand<TFloat32> score = guidance().score(scope(run), config(), images, condition());
      Operand<TFloat32> total = run.root().tf().reduceSum(score, run.root().tf().constant(0));
      Output<TFloat32> gradient = Gradients.ofOutputs(run.root().graph(), total, new Output<?>[] {images.asOutput()}, List.of("images")).get(0);
      List<GraphRun.Values> out = run.fetch(score, gradient);
      assertShape("score", new long[] {shape[0]}, score, out.get(0));
      assertFinite("score", out.get(0).values());
      assertFinite("d score / d images", out.get(1).values());
      boolean moves = false;
      for (float g : out.get(1).values()) {
        moves |= g != 0;
      }
      assertTrue(moves, "the score's gradient with respect to the images is zero everywhere: it cannot steer a sampler");
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void theSameImagesScoreTheSameWithFedRandomness() {
    long[] shape = imageShape();
    assumeTrue(shape != null, "only combines predictions");
    float[] first;
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> score = guidance().score(scope(run), config(), run.input("images", shape, TinyBatch.uniform(1, shape, 0, 1)), condition());
      first = fedScore(run, score, shape);
      assertClose("score, same session and draws", first, fedScore(run, score, shape), ContractAssertions.REPEAT_TOLERANCE);
    }
    try (GraphRun run = new GraphRun(SEED)) {
      Operand<TFloat32> score = guidance().score(scope(run), config(), run.input("images", shape, TinyBatch.uniform(1, shape, 0, 1)), condition());
      assertClose("score, new graph, same draws", first, fedScore(run, score, shape), ContractAssertions.REPEAT_TOLERANCE);
    }
  }

  /** The score with every fed-randomness placeholder fed from a generator seeded alike each time. */
  private static float[] fedScore(GraphRun run, Operand<TFloat32> score, long[] shape) {
    FedRandomness draws = new FedRandomness(run.root().graph(), Math.toIntExact(shape[0]), 11);
    return run.fetch(draws::feed, score).get(0).values();
  }

  @Test
  public void aConditionItCannotUseIsRefused() {
    Condition unusable = unusableCondition();
    assumeTrue(imageShape() != null && unusable != null, "scores any condition");
    try (GraphRun run = new GraphRun(SEED)) {
      Placeholder<TFloat32> images = run.input("images", imageShape(), TinyBatch.uniform(1, imageShape(), 0, 1));
      TesseraException e = assertThrows(TesseraException.class, () -> guidance().score(scope(run), config(), images, unusable));
      assertNotNull(e.getMessage());
    }
  }

  @Test
  public void aNoisySampleScoreIsFiniteDifferentiableAndDependsOnTheTimestep() {
    long[] shape = imageShape();
    assumeTrue(shape != null && guidance().scoresNoisySamples(), "scores clean images");
    float[] early = noisyScoreAt(shape, 0, true);
    assertTrue(!java.util.Arrays.equals(early, noisyScoreAt(shape, 900, false)), "the noisy score ignores the timestep");
  }

  /** The noisy score of fixed samples at timestep t (same variables each time); with checks of shape, gradient and scope. */
  private float[] noisyScoreAt(long[] shape, float t, boolean check) {
    try (GraphRun run = new GraphRun(SEED)) {
      Placeholder<TFloat32> noisy = run.input("noisy", shape, TinyBatch.uniform(1, shape, -1, 1));
      float[] ts = new float[(int) shape[0]];
      java.util.Arrays.fill(ts, t);
      Operand<TFloat32> score = guidance().noisyScore(scope(run), config(), noisy, run.input("timesteps", new long[] {shape[0]}, ts), condition());
      if (!check) {
        return run.fetch(score).values();
      }
      Operand<TFloat32> total = run.root().tf().reduceSum(score, run.root().tf().constant(0));
      Output<TFloat32> gradient = Gradients.ofOutputs(run.root().graph(), total, new Output<?>[] {noisy.asOutput()}, List.of("noisy")).get(0);
      List<GraphRun.Values> out = run.fetch(score, gradient);
      assertShape("noisy score", new long[] {shape[0]}, score, out.get(0));
      assertFinite("noisy score", out.get(0).values());
      assertFinite("d score / d x_t", out.get(1).values());
      boolean moves = false;
      for (float g : out.get(1).values()) {
        moves |= g != 0;
      }
      assertTrue(moves, "the noisy score's gradient is zero everywhere: it cannot steer a sampler");
      assertVariablesUnder(scope(run));
      return out.get(0).values();
    }
  }
}
