package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights holding NaN or an infinity are refused at load, naming the tensor, from a file and from a stream. */
class NonFiniteWeightsTest {
  @TempDir Path tmp;

  @Test
  void nanAndInfinityAreRefusedNamingTheTensorAndElement() throws Exception {
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
      Map<String, TensorData> t = new LinkedHashMap<>();
      t.put("ok", TensorData.ofFloats(new long[] {2}, new float[] {1, 2}));
      t.put("enc.kernel", TensorData.ofFloats(new long[] {2, 2}, new float[] {0, 1, bad, 3}));
      t.put("ids", TensorData.ofInts(new long[] {1}, new int[] {7}));
      Path file = tmp.resolve("w.safetensors");
      SafeTensors.write(file, t, Map.of());
      String expected = file + ": tensor 'enc.kernel' holds " + bad + " at element 2: weights must be finite (a training run that diverged?)";
      assertEquals(expected, assertThrows(WeightsFormatException.class, () -> Parameters.load(file)).getMessage());
      try (var in = Files.newInputStream(file)) {
        assertThrows(WeightsFormatException.class, () -> Parameters.load(in, file.toString()));
      }
    }
    Map<String, TensorData> f64 = Map.of("d", TensorData.ofFloats(DType.F64, new long[] {1}, new float[] {Float.NaN}));
    Path file = tmp.resolve("d.safetensors");
    SafeTensors.write(file, f64, Map.of());
    assertThrows(WeightsFormatException.class, () -> Parameters.load(file), "every floating-point dtype");
  }
}
