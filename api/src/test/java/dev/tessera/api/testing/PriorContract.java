package dev.tessera.api.testing;

import static dev.tessera.api.testing.ContractAssertions.SEED;
import static dev.tessera.api.testing.ContractAssertions.assertFinite;
import static dev.tessera.api.testing.ContractAssertions.assertVariablesUnder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.types.Condition;
import dev.tessera.api.types.Latents;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Prior} must do. Extend it with the prior, a small config, a condition it
 * samples from and the shape of the latents it draws for {@link #count()} samples. The tests
 * check a valid name, the stated shape with finite values (codes in [0, {@link #codebookSize()})),
 * the same latents for the same seed, other latents for another seed, variables only under its
 * scope, and a {@link TesseraException} for a condition it cannot use and for fewer than one
 * sample.
 */
public abstract class PriorContract {

  /** The prior under test (a new instance each call). */
  protected abstract Prior prior();

  /** A small config it builds with. */
  protected abstract ModelConfig config();

  /** A condition it samples from. */
  protected abstract Condition condition();

  /** The shape of the latents it draws for {@link #count()} samples, batch first. */
  protected abstract long[] latentShape();

  /** Samples drawn per test. */
  protected int count() {
    return 2;
  }

  /** Codes a discrete prior draws are below this. */
  protected int codebookSize() {
    return Integer.MAX_VALUE;
  }

  /** Sampling options with a seed; override to keep a diffusion prior's steps few. */
  protected Prior.SamplingOptions options(long seed) {
    return Prior.SamplingOptions.seeded(seed).withDiffusion("ddim", 3, 2f);
  }

  /** A condition it must refuse; by default none at all. Null when it samples from any condition. */
  protected Condition unusableCondition() {
    return Condition.unconditional();
  }

  /** The scope the contract builds the prior under. */
  protected static GraphScope scope(GraphRun run) {
    return run.root().child("prior_under_test");
  }

  private Latents sample(long weightsSeed, Condition condition, int count, long seed) {
    try (GraphRun run = new GraphRun(weightsSeed)) {
      Prior.Sampler sampler = prior().build(scope(run), config());
      return sampler.sample(run.session(), condition, count, options(seed));
    }
  }

  private static float[] values(Latents l) {
    if (!l.discrete()) {
      return l.values();
    }
    float[] v = new float[l.codes().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = l.codes()[i];
    }
    return v;
  }

  @Test
  public void nameIsAValidComponentName() {
    ComponentNames.assertValid("prior", prior().name());
    assertNotNull(prior().description());
  }

  @Test
  public void drawsLatentsOfTheStatedShape() {
    try (GraphRun run = new GraphRun(SEED)) {
      Prior.Sampler sampler = prior().build(scope(run), config());
      Latents l = sampler.sample(run.session(), condition(), count(), options(1));
      assertArrayEquals(latentShape(), l.shape(), () -> "sampled " + Arrays.toString(l.shape()));
      assertFinite("latents", values(l));
      if (l.discrete()) {
        for (int code : l.codes()) {
          assertTrue(code >= 0 && code < codebookSize(), "code " + code + " is outside [0, " + codebookSize() + ")");
        }
      }
      assertVariablesUnder(scope(run));
    }
  }

  @Test
  public void theSameSeedDrawsTheSameLatents() {
    try (GraphRun run = new GraphRun(SEED)) {
      Prior.Sampler sampler = prior().build(scope(run), config());
      Latents first = sampler.sample(run.session(), condition(), count(), options(1));
      assertArrayEquals(values(first), values(sampler.sample(run.session(), condition(), count(), options(1))), "same session");
      assertArrayEquals(values(first), values(sample(SEED, condition(), count(), 1)), "new graph");
    }
  }

  @Test
  public void anotherSeedDrawsOtherLatents() {
    assertFalse(Arrays.equals(values(sample(SEED, condition(), count(), 1)), values(sample(SEED, condition(), count(), 2))),
        "seeds 1 and 2 drew the same latents");
  }

  @Test
  public void aConditionItCannotUseIsRefused() {
    Condition unusable = unusableCondition();
    assumeTrue(unusable != null, "samples from any condition");
    TesseraException e = assertThrows(TesseraException.class, () -> sample(SEED, unusable, count(), 1));
    assertNotNull(e.getMessage());
  }

  /**
   * A prior that scores code grids ({@link Prior.CodeScorer}) scores them as it samples them: the
   * grids it draws greedily (top-k 1) are, position by position, the most likely codes of its own
   * (conditional, unguided) log-probabilities, which are normalised.
   */
  @Test
  public void aCodeScorerAgreesWithItsGreedySampling() {
    Prior prior = prior();
    assumeTrue(prior instanceof Prior.CodeScorer, "scores no code grids");
    try (GraphRun run = new GraphRun(SEED)) {
      Prior.Sampler sampler = prior.build(scope(run), config());
      Latents greedy = sampler.sample(run.session(), condition(), count(), options(1).withGuidance(1f).withTokens(1.0, 1, 1.0));
      assertTrue(greedy.discrete(), "a code scorer's prior draws codes");
      int n = greedy.codes().length / count();
      float[] text = condition().embedding().rowsFor(count());
      int textDim = condition().embedding().dim();
      org.tensorflow.Operand<org.tensorflow.types.TFloat32> logp = ((Prior.CodeScorer) prior).logProbabilities(scope(run), config(),
          run.input("text", new long[] {count(), textDim}, text), run.input("codes", new long[] {count(), n}, greedy.codes()));
      GraphRun.Values v = run.fetch(logp);
      assertArrayEquals(new long[] {count(), n, codebookSize()}, v.shape(), () -> "log-probabilities " + Arrays.toString(v.shape()));
      assertFinite("log-probabilities", v.values());
      int k = codebookSize();
      for (int row = 0; row < count() * n; row++) {
        double total = 0;
        int best = 0;
        for (int j = 0; j < k; j++) {
          total += Math.exp(v.values()[row * k + j]);
          best = v.values()[row * k + j] > v.values()[row * k + best] ? j : best;
        }
        assertEquals(1.0, total, 1e-4, "probabilities of position " + row + " sum to 1");
        assertEquals(greedy.codes()[row], best, "position " + row + ": greedy sampling drew " + greedy.codes()[row] + ", the scores prefer " + best);
      }
    }
  }

  @Test
  public void fewerThanOneSampleIsRefused() {
    TesseraException e = assertThrows(TesseraException.class, () -> sample(SEED, condition(), 0, 1));
    assertNotNull(e.getMessage());
  }
}
