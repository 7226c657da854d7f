package dev.tessera.runtime.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import java.nio.file.Path;

/** How far apart two training runs ended: the largest absolute difference over every weight. */
public final class WeightDifference {
  private WeightDifference() {}

  /** Max |a - b| over the tensors of two runs' model.safetensors (which must hold the same names). */
  public static float maxAbs(Path runA, Path runB) {
    Parameters a = Parameters.load(runA.resolve(ModelWeights.WEIGHTS_FILE));
    Parameters b = Parameters.load(runB.resolve(ModelWeights.WEIGHTS_FILE));
    assertEquals(a.names(), b.names());
    float max = 0;
    for (String name : a.names()) {
      float[] x = a.get(name).toFloats();
      float[] y = b.get(name).toFloats();
      for (int i = 0; i < x.length; i++) {
        max = Math.max(max, Math.abs(x[i] - y[i]));
      }
    }
    return max;
  }
}
