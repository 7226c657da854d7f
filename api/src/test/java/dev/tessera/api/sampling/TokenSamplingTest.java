package dev.tessera.api.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenSamplingTest {
  // Probabilities (softmax at temperature 1) of ids 0..3: ln(1), ln(2), ln(3), ln(4) -> 0.1, 0.2, 0.3, 0.4.
  static final float[] LOGITS = {9f, 0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4), 9f};

  static double[] frequencies(double temperature, int topK, double topP) {
    double[] f = new double[4];
    SplittableRandom r = new SplittableRandom(1);
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      f[TokenSampling.sample(LOGITS, 1, 4, temperature, topK, topP, r.nextDouble())] += 1.0 / n;
    }
    return f;
  }

  @Test
  void samplesTheSoftmaxOfTheSlice() {
    double[] f = frequencies(1, 0, 1);
    for (int i = 0; i < 4; i++) {
      assertEquals(0.1 * (i + 1), f[i], 0.005, "id " + i);
    }
  }

  @Test
  void topKKeepsTheKMostLikelyRenormalised() {
    double[] f = frequencies(1, 2, 1);
    assertEquals(0, f[0] + f[1], 1e-12);
    assertEquals(3.0 / 7, f[2], 0.005);
    assertEquals(4.0 / 7, f[3], 0.005);
  }

  @Test
  void topPKeepsTheSmallestSetReachingTheMass() {
    // 0.4 + 0.3 = 0.7 >= 0.65: ids 3 and 2.
    double[] f = frequencies(1, 0, 0.65);
    assertEquals(0, f[0] + f[1], 1e-12);
    assertEquals(3.0 / 7, f[2], 0.005);
  }

  @Test
  void temperatureSharpensAndZeroIsGreedy() {
    double[] cold = frequencies(0.5, 0, 1);
    // p ~ (i+1)^2: 1, 4, 9, 16 over 30.
    assertEquals(16.0 / 30, cold[3], 0.005);
    assertEquals(1.0, frequencies(0, 0, 1)[3], 1e-9);
  }

  @Test
  void badSettingsAreNamed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenSampling.sample(LOGITS, 0, 4, -1, 0, 1, 0.5)).getMessage().contains("temperature"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenSampling.sample(LOGITS, 0, 4, 1, -1, 1, 0.5)).getMessage().contains("top-k"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TokenSampling.sample(LOGITS, 0, 4, 1, 0, 0, 0.5)).getMessage().contains("top-p"));
  }
}
