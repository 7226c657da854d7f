package dev.tessera.runtime.train;

import java.util.Map;

/** Summary of a finished training run. */
public record TrainResult(long firstStep, long lastStep, double lastLoss, Map<String, Double> lastMetrics, double seconds) {
  public double stepsPerSecond() {
    long n = lastStep - firstStep;
    return seconds > 0 ? n / seconds : 0;
  }
}
