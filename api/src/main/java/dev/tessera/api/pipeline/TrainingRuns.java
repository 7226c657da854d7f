package dev.tessera.api.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * How stable training is: the same configuration trained with several seeds and each result
 * scored by {@code compare}, recorded in the weights' config.json under "training_runs" (the
 * model card's stability table, machine-readable), so {@code compare} can report the spread
 * across training seeds next to the spread across sampling seeds.
 * <pre>
 * "training_runs": {"command": "./tessera train clip-gan --steps 5000 --seed S ...",
 *                   "runs": [{"seed": 0, "steps": 5000, "conditional_accuracy": 0.93, "fid": 812.4}, ...]}
 * </pre>
 */
public record TrainingRuns(String command, List<Run> runs) {
  public static final String KEY = "training_runs";

  /** One training run's scores (FID in the evaluator's features, at the sample size of the record). */
  public record Run(long seed, long steps, double conditionalAccuracy, double fid) {}

  /** The record in a weights config, or null when there is none. */
  public static TrainingRuns of(ModelConfig config) {
    JsonNode node = config.node(KEY);
    if (node == null || node.isNull()) {
      return null;
    }
    JsonNode runs = node.get("runs");
    if (!node.isObject() || runs == null || !runs.isArray()) {
      throw new TesseraException(config.source() + ": '" + KEY + "' must be an object with a 'runs' array");
    }
    List<Run> out = new ArrayList<>();
    for (JsonNode r : runs) {
      for (String key : new String[] {"seed", "steps", "conditional_accuracy", "fid"}) {
        if (r.get(key) == null || !r.get(key).isNumber()) {
          throw new TesseraException(config.source() + ": each of '" + KEY + ".runs' needs a number '" + key + "', got " + r);
        }
      }
      out.add(new Run(r.get("seed").asLong(), r.get("steps").asLong(), r.get("conditional_accuracy").asDouble(), r.get("fid").asDouble()));
    }
    return new TrainingRuns(node.path("command").asText(""), List.copyOf(out));
  }

  /** Sample standard deviation of the runs' conditional accuracy (NaN with fewer than two runs). */
  public double accuracySpread() {
    return standardDeviation(runs.stream().mapToDouble(Run::conditionalAccuracy).toArray());
  }

  /** Sample standard deviation of the runs' FID. */
  public double fidSpread() {
    return standardDeviation(runs.stream().mapToDouble(Run::fid).toArray());
  }

  /** Sample standard deviation (n - 1), NaN with fewer than two values. */
  public static double standardDeviation(double[] v) {
    if (v.length < 2) {
      return Double.NaN;
    }
    double mean = java.util.Arrays.stream(v).average().orElse(0);
    return Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
  }
}
