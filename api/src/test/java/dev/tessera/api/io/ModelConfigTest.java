package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
  @TempDir Path tmp;

  @Test
  void roundTripsThroughAFileAndKeepsTypes() throws Exception {
    ModelConfig c = ModelConfig.empty().with("a", 3).with("b", 0.25).with("c", true).with("d", "vqvae");
    Path f = tmp.resolve("config.json");
    c.write(f);
    ModelConfig r = ModelConfig.read(f);
    assertEquals(3, r.getInt("a", 0));
    assertEquals(0.25, r.getDouble("b", 0), 0);
    assertTrue(r.getBoolean("c", false));
    assertEquals("vqvae", r.getString("d", null));
    assertEquals(7, r.getInt("missing", 7));
    try (var files = Files.list(tmp)) {
      assertEquals(1, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void mergeAndWithDoNotChangeTheOriginal() {
    ModelConfig base = ModelConfig.empty().with("a", 1).with("b", 2);
    ModelConfig merged = base.merge(ModelConfig.empty().with("b", 5).with("c", 6));
    assertEquals(2, base.getInt("b", 0));
    assertEquals(5, merged.getInt("b", 0));
    assertEquals(6, merged.getInt("c", 0));
    assertFalse(base.has("c"));
  }

  @Test
  void wrongTypesNameTheKeyAndTheSource() {
    ModelConfig c = ModelConfig.parse("{\"a\": \"x\", \"b\": 1.5, \"n\": -1}", "cfg.json");
    TesseraException e = assertThrows(TesseraException.class, () -> c.getInt("a", 0));
    assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("'a'"), e.getMessage());
    assertThrows(TesseraException.class, () -> c.getInt("b", 0));
    assertThrows(TesseraException.class, () -> c.getBoolean("b", false));
    e = assertThrows(TesseraException.class, () -> c.getPositiveInt("n", 1));
    assertEquals("cfg.json: 'n' must be an integer in [1, 65536] (a size or a count), got -1", e.getMessage());
    ModelConfig big = c.with("n", 1 << 30);
    e = assertThrows(TesseraException.class, () -> big.getPositiveInt("n", 1));
    assertTrue(e.getMessage().endsWith("'n' must be an integer in [1, 65536] (a size or a count), got 1073741824"), e.getMessage());
  }

  @Test
  void malformedFilesAreClearErrors() throws Exception {
    for (Map.Entry<String, String> bad : Map.of(
        "not json", "{nope",
        "not an object", "[1, 2]",
        "empty", "",
        "too deep", "[".repeat(5000) + "]".repeat(5000)).entrySet()) {
      Path f = tmp.resolve(bad.getKey().replace(' ', '-') + ".json");
      Files.writeString(f, bad.getValue());
      TesseraException e = assertThrows(TesseraException.class, () -> ModelConfig.read(f), bad.getKey());
      assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
    Path big = tmp.resolve("big.json");
    Files.write(big, new byte[2_000_000]);
    assertTrue(assertThrows(TesseraException.class, () -> ModelConfig.read(big)).getMessage().contains("larger"));
    assertThrows(TesseraException.class, () -> ModelConfig.read(tmp.resolve("missing.json")));
  }

  /** Damage the fuzz test (ModelConfigFuzzTest) found being read silently: each is now an error naming the file. */
  @Test
  void damageThatUsedToBeReadSilentlyIsRefused() throws Exception {
    for (Map.Entry<String, byte[]> bad : Map.of(
        "repeated key", "{\"steps\": 50, \"steps\": 5}".getBytes(StandardCharsets.UTF_8),
        "data after the object", "{\"steps\": 50}}".getBytes(StandardCharsets.UTF_8),
        "second object", "{\"steps\": 50} {\"steps\": 5}".getBytes(StandardCharsets.UTF_8),
        "not UTF-8", new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'}).entrySet()) {
      Path f = tmp.resolve(bad.getKey().replace(' ', '-') + ".json");
      Files.write(f, bad.getValue());
      TesseraException e = assertThrows(TesseraException.class, () -> ModelConfig.read(f), bad.getKey());
      assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
      if (bad.getKey().equals("not UTF-8")) {
        TesseraException fromStream = assertThrows(TesseraException.class,
            () -> ModelConfig.read(new ByteArrayInputStream(bad.getValue()), "jar/config.json"));
        assertTrue(fromStream.getMessage().contains("not valid UTF-8"), fromStream.getMessage());
      }
    }
    ModelConfig overflow = ModelConfig.parse("{\"learning_rate\": 1e999, \"eta\": -1e999, \"ok\": 1e-400}", "cfg.json");
    TesseraException e = assertThrows(TesseraException.class, () -> overflow.getDouble("learning_rate", 0.1));
    assertTrue(e.getMessage().contains("cfg.json") && e.getMessage().contains("finite"), e.getMessage());
    assertThrows(TesseraException.class, () -> overflow.getDouble("eta", 0));
    assertEquals(0.0, overflow.getDouble("ok", 1), "underflow to zero is still the number written");
  }

  @Test
  void modelWeightsNeedBothFiles() {
    TesseraException e = assertThrows(TesseraException.class, () -> ModelWeights.load(tmp.resolve("nowhere")));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
    ModelConfig.empty().with("a", 1).write(tmp.resolve("w/config.json"));
    e = assertThrows(TesseraException.class, () -> ModelWeights.load(tmp.resolve("w")));
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    Parameters p = new Parameters("x").put("t", TensorData.ofFloats(new long[] {2}, new float[] {1, 2}));
    new ModelWeights(ModelConfig.empty().with("a", 1), p).save(tmp.resolve("w"));
    ModelWeights w = ModelWeights.load(tmp.resolve("w"));
    assertEquals(p.get("t"), w.parameters().get("t"));
    assertEquals(8, w.parameters().byteSize());
  }
}
