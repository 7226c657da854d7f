package dev.tessera.api.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import org.junit.jupiter.api.Test;

/** The "training_runs" record of a weights config: read, spread, absent, malformed. */
class TrainingRunsTest {
  @Test
  void readsTheRunsAndGivesTheSpreadAcrossTrainingSeeds() {
    TrainingRuns r = TrainingRuns.of(ModelConfig.parse("""
        {"training_runs": {"command": "./tessera train m --seed S", "runs": [
          {"seed": 0, "steps": 100, "conditional_accuracy": 0.9, "fid": 10},
          {"seed": 1, "steps": 100, "conditional_accuracy": 0.7, "fid": 14},
          {"seed": 2, "steps": 100, "conditional_accuracy": 0.8, "fid": 12}]}}""", "test.json"));
    assertEquals(3, r.runs().size());
    assertEquals("./tessera train m --seed S", r.command());
    assertEquals(0.1, r.accuracySpread(), 1e-9);
    assertEquals(2, r.fidSpread(), 1e-9);
    assertTrue(Double.isNaN(new TrainingRuns("", java.util.List.of(r.runs().get(0))).accuracySpread()));
  }

  @Test
  void isAbsentWhenNotRecorded() {
    assertNull(TrainingRuns.of(ModelConfig.parse("{\"model\": \"m\"}", "test.json")));
  }

  @Test
  void malformedRecordsNameTheKey() {
    assertTrue(assertThrows(TesseraException.class, () -> TrainingRuns.of(ModelConfig.parse("{\"training_runs\": [1, 2]}", "a.json")))
        .getMessage().contains("a.json: 'training_runs' must be an object with a 'runs' array"));
    assertTrue(assertThrows(TesseraException.class, () -> TrainingRuns.of(ModelConfig.parse(
        "{\"training_runs\": {\"runs\": [{\"seed\": 0, \"steps\": 1, \"fid\": 3}]}}", "b.json"))).getMessage().contains("'conditional_accuracy'"));
  }
}
