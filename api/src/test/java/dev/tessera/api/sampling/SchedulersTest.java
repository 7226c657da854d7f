package dev.tessera.api.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each scheduler's algebra against closed forms on tiny arrays. */
class SchedulersTest {
  static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000, 1e-4, 0.02);
  static final float[] X0 = {0.5f, -0.25f, 1f, 0f};
  static final float[] NOISE = {0.3f, -1.2f, 0.7f, 2f};

  @Test
  void schedulesHaveTheirDefiningValues() {
    assertEquals(1e-4, LINEAR.beta(0), 1e-12);
    assertEquals(0.02, LINEAR.beta(999), 1e-12);
    assertEquals((1 - 1e-4), LINEAR.alphaCumprod(0), 1e-12);
    assertEquals(1.0, LINEAR.alphaCumprod(-1));
    NoiseSchedule cos = NoiseSchedule.cosine(1000, 0.008);
    for (int t = 1; t < 1000; t++) {
      assertTrue(cos.alphaCumprod(t) < cos.alphaCumprod(t - 1));
      assertTrue(cos.beta(t) <= 0.999);
    }
    assertTrue(cos.alphaCumprod(999) < 1e-3);
    assertThrows(IllegalArgumentException.class, () -> NoiseSchedule.named("quadratic", 10));
  }

  @Test
  void addNoiseIsTheClosedForm() {
    float[] xt = LINEAR.addNoise(X0, NOISE, 500);
    double a = LINEAR.alphaCumprod(500);
    for (int i = 0; i < X0.length; i++) {
      assertEquals(Math.sqrt(a) * X0[i] + Math.sqrt(1 - a) * NOISE[i], xt[i], 1e-6);
    }
    assertArrayEquals(X0, LINEAR.predictX0(xt, NOISE, 500), 1e-5f);
  }

  @Test
  void timestepsRunFromTheLastToZero() {
    Scheduler s = new DdimScheduler(LINEAR, 0);
    s.setTimesteps(5);
    assertArrayEquals(new int[] {999, 749, 500, 250, 0}, s.timesteps());
    assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0));
    assertThrows(IllegalArgumentException.class, () -> s.step(NOISE, 123, X0, new SplittableRandom(1)));
  }

  /**
   * clip_sample: a predicted x0 outside [-1, 1] is clipped, and DDIM moves along the noise that is
   * consistent with the clipped x0; inside the range nothing changes.
   */
  @Test
  void clippingPredictedSamplesBoundsX0AndKeepsDdimConsistent() {
    float[] bigX0 = {3f, -2f, 0.5f, 0f};
    float[] xt = LINEAR.addNoise(bigX0, NOISE, 500);
    Scheduler plain = new DdimScheduler(LINEAR, 0);
    plain.setTimesteps(2); // 999, 0
    Scheduler clipped = new DdimScheduler(LINEAR, 0);
    clipped.setClipSample(1);
    clipped.setTimesteps(2);
    // At t = 0 the next sample is x0 itself.
    float[] x0Plain = plain.step(NOISE, 0, LINEAR.addNoise(bigX0, NOISE, 0), new SplittableRandom(1));
    float[] x0Clipped = clipped.step(NOISE, 0, LINEAR.addNoise(bigX0, NOISE, 0), new SplittableRandom(1));
    assertArrayEquals(bigX0, x0Plain, 1e-4f);
    assertArrayEquals(new float[] {1f, -1f, 0.5f, 0f}, x0Clipped, 1e-4f);
    // From t = 999 to 0: x_prev = sqrt(a_0) clip(x0) + sqrt(1 - a_0) eps', eps' the noise consistent with clip(x0) at t = 999.
    float[] xt999 = LINEAR.addNoise(bigX0, NOISE, 999);
    float[] out = clipped.step(NOISE, 999, xt999, new SplittableRandom(1));
    float[] x0 = LINEAR.predictX0(xt999, NOISE, 999);
    double a = LINEAR.alphaCumprod(999);
    double a0 = LINEAR.alphaCumprod(0);
    for (int i = 0; i < out.length; i++) {
      double c = Math.max(-1, Math.min(1, x0[i]));
      double eps = (xt999[i] - Math.sqrt(a) * c) / Math.sqrt(1 - a);
      assertEquals(Math.sqrt(a0) * c + Math.sqrt(1 - a0) * eps, out[i], 1e-4);
    }
    assertEquals(xt.length, out.length);
    Scheduler ddpm = Schedulers.create("ddpm", LINEAR, 0);
    ddpm.setClipSample(1);
    Scheduler dpm = Schedulers.create("dpm-solver++", LINEAR, 0);
    dpm.setClipSample(1);
    assertThrows(IllegalArgumentException.class, () -> dpm.setClipSample(-1));
  }

  /** With the true noise as the prediction, deterministic schedulers land exactly on x_prev = q(x_prev | x0, same noise). */
  @Test
  void ddimWithEtaZeroAndTrueNoiseFollowsTheForwardProcess() {
    Scheduler s = new DdimScheduler(LINEAR, 0);
    s.setTimesteps(10);
    int[] ts = s.timesteps();
    float[] x = LINEAR.addNoise(X0, NOISE, ts[0]);
    for (int i = 0; i < ts.length; i++) {
      x = s.step(NOISE, ts[i], x, new SplittableRandom(i));
      float[] expected = i + 1 < ts.length ? LINEAR.addNoise(X0, NOISE, ts[i + 1]) : X0;
      assertArrayEquals(expected, x, 1e-4f, "after t=" + ts[i]);
    }
  }

  @Test
  void dpmSolverWithTrueNoiseFollowsTheForwardProcessInBothOrders() {
    Scheduler s = new DpmSolverMultistepScheduler(NoiseSchedule.cosine(1000, 0.008));
    s.setTimesteps(8);
    int[] ts = s.timesteps();
    float[] x = s.schedule().addNoise(X0, NOISE, ts[0]);
    for (int i = 0; i < ts.length; i++) {
      x = s.step(NOISE, ts[i], x, null);
      float[] expected = i + 1 < ts.length ? s.schedule().addNoise(X0, NOISE, ts[i + 1]) : X0;
      assertArrayEquals(expected, x, 1e-3f, "after t=" + ts[i]); // float32: x0 = (x - s eps)/a with a ~ 0.01 at t=999
    }
  }

  @Test
  void dpmSolverSecondOrderStepMatchesTheFormula() {
    Scheduler s = new DpmSolverMultistepScheduler(LINEAR);
    s.setTimesteps(4);
    int[] ts = s.timesteps(); // 999, 666, 333, 0
    float[] x = LINEAR.addNoise(X0, NOISE, ts[0]);
    float[] eps1 = {0.1f, 0.2f, -0.3f, 0.4f};
    float[] afterFirst = s.step(eps1, ts[0], x, null);
    float[] eps2 = {-0.5f, 0.1f, 0.9f, -0.2f};
    float[] afterSecond = s.step(eps2, ts[1], afterFirst, null);
    double[] lambda = new double[3];
    for (int k = 0; k < 3; k++) {
      double a = LINEAR.alphaCumprod(ts[k]);
      lambda[k] = 0.5 * Math.log(a / (1 - a));
    }
    double h = lambda[2] - lambda[1];
    double r = (lambda[1] - lambda[0]) / h;
    double aNext = Math.sqrt(LINEAR.alphaCumprod(ts[2]));
    double ratio = Math.sqrt(1 - LINEAR.alphaCumprod(ts[2])) / Math.sqrt(1 - LINEAR.alphaCumprod(ts[1]));
    float[] m1 = LINEAR.predictX0(x, eps1, ts[0]);
    float[] m0 = LINEAR.predictX0(afterFirst, eps2, ts[1]);
    for (int i = 0; i < 4; i++) {
      double d = m0[i] + 0.5 / r * (m0[i] - m1[i]);
      double expected = ratio * afterFirst[i] - aNext * (Math.exp(-h) - 1) * d;
      assertEquals(expected, afterSecond[i], 1e-4);
    }
  }

  @Test
  void ddpmStepIsThePosteriorMeanPlusItsVariance() {
    DdpmScheduler s = new DdpmScheduler(LINEAR);
    int t = 500;
    float[] xt = LINEAR.addNoise(X0, NOISE, t);
    double aT = LINEAR.alphaCumprod(t);
    double aPrev = LINEAR.alphaCumprod(t - 1);
    double beta = LINEAR.beta(t);
    int n = 20000;
    double[] sum = new double[4];
    double[] sumSq = new double[4];
    SplittableRandom random = new SplittableRandom(3);
    for (int k = 0; k < n; k++) {
      float[] prev = s.step(NOISE, t, xt, random);
      for (int i = 0; i < 4; i++) {
        sum[i] += prev[i];
        sumSq[i] += prev[i] * (double) prev[i];
      }
    }
    double variance = (1 - aPrev) / (1 - aT) * beta;
    for (int i = 0; i < 4; i++) {
      double mean = Math.sqrt(aPrev) * beta / (1 - aT) * X0[i] + Math.sqrt(1 - beta) * (1 - aPrev) / (1 - aT) * xt[i];
      double m = sum[i] / n;
      assertEquals(mean, m, 4 * Math.sqrt(variance / n) + 1e-5, "mean " + i);
      assertEquals(variance, sumSq[i] / n - m * m, 0.05 * variance, "variance " + i);
    }
    // The last step (t = 0 -> clean data) adds no noise.
    float[] last = s.step(NOISE, 0, LINEAR.addNoise(X0, NOISE, 0), new SplittableRandom(1));
    assertArrayEquals(last, s.step(NOISE, 0, LINEAR.addNoise(X0, NOISE, 0), new SplittableRandom(2)));
  }

  @Test
  void ddimWithEtaOneIsStochasticAndNamedLookupWorks() {
    Scheduler s = Schedulers.create("ddim", LINEAR, 1.0);
    s.setTimesteps(10);
    float[] x = LINEAR.addNoise(X0, NOISE, 999);
    float[] a = s.step(NOISE, 999, x, new SplittableRandom(1));
    float[] b = s.step(NOISE, 999, x, new SplittableRandom(2));
    assertTrue(a[0] != b[0]);
    assertEquals("dpm-solver++", Schedulers.create("dpm-solver++", LINEAR, 0).name());
    assertEquals("ddpm", Schedulers.create("ddpm", LINEAR, 0).name());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedulers.create("euler", LINEAR, 0));
    assertTrue(e.getMessage().contains("ddim"));
  }
}
