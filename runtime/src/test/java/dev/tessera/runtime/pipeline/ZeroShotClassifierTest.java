package dev.tessera.runtime.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ZeroShotClassifierTest {
  @Test
  void softmaxOfScaledCosines() {
    float[] p = ZeroShotClassifier.softmax(new float[] {0.3f, 0.2f}, 100f);
    assertEquals(1.0, p[0] + p[1], 1e-6);
    assertEquals(1 / (1 + Math.exp(-10)), p[0], 1e-6);
  }
}
