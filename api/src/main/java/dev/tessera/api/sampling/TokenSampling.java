package dev.tessera.api.sampling;

import java.util.Arrays;

/**
 * Draws one token from logits the way autoregressive samplers do: divide by the temperature,
 * keep the top-k logits (k = 0 keeps all), keep the smallest set of most likely tokens whose
 * probability reaches top-p (nucleus sampling, Holtzman et al. 2019; p = 1 keeps all), then invert
 * the cumulative distribution at a uniform draw u (in id order when nothing is cut, else from the
 * most likely down). Temperature 0 is greedy (argmax). Ties break toward the lower id, so the
 * result is a function of (logits, settings, u).
 */
public final class TokenSampling {
  private TokenSampling() {}

  /** Samples from logits[offset, offset + vocabulary). */
  public static int sample(float[] logits, int offset, int vocabulary, double temperature, int topK, double topP, double u) {
    if (temperature < 0 || Double.isNaN(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    }
    if (topP <= 0 || topP > 1 || Double.isNaN(topP)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("top-k must be >= 0, got " + topK);
    }
    if (temperature > 0 && topK == 0 && topP == 1) {
      return fromFullDistribution(logits, offset, vocabulary, temperature, u);
    }
    Integer[] order = new Integer[vocabulary];
    for (int i = 0; i < vocabulary; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Float.compare(logits[offset + b], logits[offset + a]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    if (temperature == 0) {
      return order[0];
    }
    int kept = topK == 0 ? vocabulary : Math.min(topK, vocabulary);
    double max = logits[offset + order[0]];
    double[] p = new double[kept];
    double sum = 0;
    for (int i = 0; i < kept; i++) {
      p[i] = Math.exp((logits[offset + order[i]] - max) / temperature);
      sum += p[i];
    }
    if (topP < 1) {
      double mass = 0;
      int n = 0;
      while (n < kept) {
        mass += p[n] / sum;
        n++;
        if (mass >= topP) {
          break;
        }
      }
      kept = n;
      sum = 0;
      for (int i = 0; i < kept; i++) {
        sum += p[i];
      }
    }
    double target = u * sum;
    double cumulative = 0;
    for (int i = 0; i < kept; i++) {
      cumulative += p[i];
      if (target < cumulative) {
        return order[i];
      }
    }
    return order[kept - 1];
  }

  /** No truncation: invert the CDF in id order, with no sort (the common case, and the fast one). */
  private static int fromFullDistribution(float[] logits, int offset, int vocabulary, double temperature, double u) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocabulary; i++) {
      max = Math.max(max, logits[offset + i]);
    }
    double[] p = new double[vocabulary];
    double sum = 0;
    for (int i = 0; i < vocabulary; i++) {
      p[i] = Math.exp((logits[offset + i] - max) / temperature);
      sum += p[i];
    }
    double target = u * sum;
    double cumulative = 0;
    int last = 0;
    for (int i = 0; i < vocabulary; i++) {
      cumulative += p[i];
      if (p[i] > 0) {
        last = i;
      }
      if (target < cumulative) {
        return i;
      }
    }
    return last;
  }
}
