package dev.tessera.api.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Euler ancestral and Heun over Karras sigmas against closed forms on tiny arrays. */
class SigmaSchedulersTest {
  static final NoiseSchedule LINEAR = SchedulersTest.LINEAR;
  static final float[] X0 = SchedulersTest.X0;
  static final float[] NOISE = SchedulersTest.NOISE;

  @Test
  void karrasSigmasFollowTheFormulaOnTheTimestepGrid() {
    int[] t = KarrasSigmas.timesteps(LINEAR, 10);
    assertEquals(10, t.length);
    assertEquals(KarrasSigmas.nearest(LINEAR, 80), t[0], "sigma_max: the schedule's 157, capped at 80");
    assertEquals(0, t[9]);
    double max = Math.pow(Math.min(80, KarrasSigmas.sigma(LINEAR, 999)), 1 / 7.0);
    double min = Math.pow(KarrasSigmas.sigma(LINEAR, 0), 1 / 7.0);
    for (int i = 0; i < t.length; i++) {
      if (i > 0) {
        assertTrue(t[i] < t[i - 1], "distinct, high noise first");
      }
      double wanted = Math.pow(max + i / 9.0 * (min - max), 7);
      // t[i] is the grid point nearest to the wanted sigma in log space: its neighbours are no nearer.
      double here = Math.abs(Math.log(KarrasSigmas.sigma(LINEAR, t[i]) / wanted));
      for (int n : new int[] {t[i] - 1, t[i] + 1}) {
        if (n >= 0 && n < 1000) {
          assertTrue(here <= Math.abs(Math.log(KarrasSigmas.sigma(LINEAR, n) / wanted)) + 1e-12, "step " + i);
        }
      }
    }
    assertEquals(Math.sqrt((1 - LINEAR.alphaCumprod(500)) / LINEAR.alphaCumprod(500)), KarrasSigmas.sigma(LINEAR, 500), 1e-12);
    assertTrue(KarrasSigmas.timesteps(LINEAR, 1000).length < 1000, "repeats on the grid are dropped");
    assertArrayEquals(new int[] {t[0]}, KarrasSigmas.timesteps(LINEAR, 1));
    NoiseSchedule cosine = NoiseSchedule.cosine(1000, 0.008);
    int[] c = KarrasSigmas.timesteps(cosine, 20);
    assertEquals(20, c.length, "sigma_max capped at 80: no steps lost at the top of a cosine schedule");
    assertEquals(KarrasSigmas.nearest(cosine, 80), c[0]);
  }

  @Test
  void theModelSeesTheVariancePreservingSample() {
    Scheduler s = Schedulers.create("euler-a", LINEAR, 0);
    s.setTimesteps(10);
    assertEquals(KarrasSigmas.sigma(LINEAR, s.timesteps()[0]), s.initNoiseSigma(), 1e-12);
    float[] x = s.addNoise(X0, NOISE, 500);
    float[] vp = s.scaleModelInput(x, 500);
    assertArrayEquals(LINEAR.addNoise(X0, NOISE, 500), vp, 1e-5f, "x / sqrt(sigma^2 + 1) is the forward process's x_t");
    assertEquals(1.0, Schedulers.create("ddim", LINEAR, 0).initNoiseSigma());
    assertEquals(X0, Schedulers.create("ddim", LINEAR, 0).scaleModelInput(X0, 3), "the other schedulers leave the input alone");
  }

  @Test
  void eulerAncestralStepIsTheDeterministicPartPlusFreshNoise() {
    Scheduler s = new EulerAncestralScheduler(LINEAR);
    s.setTimesteps(4);
    int[] t = s.timesteps();
    double sigma = KarrasSigmas.sigma(LINEAR, t[1]);
    double next = KarrasSigmas.sigma(LINEAR, t[2]);
    double up = Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
    double down = Math.sqrt(next * next - up * up);
    float[] x = s.addNoise(X0, NOISE, t[1]);
    float[] stepped = s.step(NOISE, t[1], x, new SplittableRandom(5));
    float[] z = Scheduler.gaussian(4, new SplittableRandom(5));
    for (int i = 0; i < 4; i++) {
      assertEquals(X0[i] + down * NOISE[i] + up * z[i], stepped[i], 1e-4, "with the true noise: x0 + sigma_down eps + sigma_up z");
    }
    assertArrayEquals(X0, s.step(NOISE, t[3], s.addNoise(X0, NOISE, t[3]), new SplittableRandom(5)), 1e-5f, "the last step lands on x0");
  }

  /** A model that knows x0: its noise prediction is exact, so a deterministic sampler must end on x0. */
  static float[] sampleWithAnOracle(Scheduler s, int[] evaluations) {
    return SamplingLoop.run(s, 4, (vp, t) -> {
      evaluations[0]++;
      double a = LINEAR.alphaCumprod(t);
      float[] eps = new float[4];
      for (int i = 0; i < 4; i++) {
        eps[i] = (float) ((vp[i] - Math.sqrt(a) * X0[i]) / Math.sqrt(1 - a));
      }
      return eps;
    }, new SplittableRandom(3), null);
  }

  @Test
  void heunWithTheTrueNoiseEndsOnTheCleanSampleInTwoEvaluationsAStep() {
    Scheduler s = Schedulers.create("heun", LINEAR, 0);
    s.setTimesteps(8);
    int[] t = s.timesteps();
    assertEquals(15, t.length, "each timestep but the first twice");
    assertEquals(t[1], t[2]);
    int[] evaluations = {0};
    assertArrayEquals(X0, sampleWithAnOracle(s, evaluations), 2e-4f);
    assertEquals(15, evaluations[0]);
    assertArrayEquals(X0, sampleWithAnOracle(Schedulers.create("euler-a", LINEAR, 0), new int[1]), 2e-4f);
  }

  @Test
  void heunStepsAreTheMeanOfTwoSlopes() {
    HeunScheduler s = new HeunScheduler(LINEAR);
    s.setTimesteps(3);
    int[] t = s.timesteps();
    double s0 = KarrasSigmas.sigma(LINEAR, t[0]);
    double s1 = KarrasSigmas.sigma(LINEAR, t[1]);
    float[] x = {1f, 2f, -1f, 0.5f};
    float[] d1 = {0.1f, -0.2f, 0.3f, 0f};
    float[] d2 = {0.3f, 0.2f, -0.1f, 1f};
    float[] euler = s.step(d1, t[0], x, null);
    float[] heun = s.step(d2, t[1], euler, null);
    for (int i = 0; i < 4; i++) {
      assertEquals(x[i] + d1[i] * (s1 - s0), euler[i], 1e-4);
      assertEquals(x[i] + (d1[i] + d2[i]) / 2 * (s1 - s0), heun[i], 1e-4);
    }
    assertThrows(IllegalArgumentException.class, () -> s.step(d1, t[0], x, null), "out of order");
    s.setTimesteps(3);
    assertNotEquals(null, s.step(d1, t[0], x, null), "setTimesteps starts over");
  }
}
