package dev.tessera.api.sampling;

/**
 * The forward diffusion process: betas and the cumulative products of alphas = 1 - beta over
 * {@code T} training timesteps. {@link #linear} as in DDPM (Ho et al. 2020), {@link #cosine} as in
 * "Improved DDPM" (Nichol and Dhariwal 2021).
 */
public final class NoiseSchedule {
  private final double[] betas;
  private final double[] alphasCumprod;

  private NoiseSchedule(double[] betas) {
    this.betas = betas;
    this.alphasCumprod = new double[betas.length];
    double prod = 1;
    for (int t = 0; t < betas.length; t++) {
      prod *= 1 - betas[t];
      alphasCumprod[t] = prod;
    }
  }

  /** Betas evenly spaced from {@code start} to {@code end} (DDPM: 1e-4 to 0.02 over 1000 steps). */
  public static NoiseSchedule linear(int steps, double start, double end) {
    check(steps);
    double[] b = new double[steps];
    for (int t = 0; t < steps; t++) {
      b[t] = steps == 1 ? start : start + (end - start) * t / (steps - 1);
    }
    return new NoiseSchedule(b);
  }

  /** alpha_bar(t) = cos^2(((t/T + s) / (1 + s)) pi/2), betas clipped at 0.999. */
  public static NoiseSchedule cosine(int steps, double s) {
    check(steps);
    double[] b = new double[steps];
    for (int t = 0; t < steps; t++) {
      double a0 = alphaBar((double) t / steps, s);
      double a1 = alphaBar((double) (t + 1) / steps, s);
      b[t] = Math.min(1 - a1 / a0, 0.999);
    }
    return new NoiseSchedule(b);
  }

  /** By config name: "linear" (1e-4..0.02) or "cosine" (s = 0.008). */
  public static NoiseSchedule named(String name, int steps) {
    return switch (name) {
      case "linear" -> linear(steps, 1e-4, 0.02);
      case "cosine" -> cosine(steps, 0.008);
      default -> throw new IllegalArgumentException("unknown beta schedule '" + name + "' (linear, cosine)");
    };
  }

  private static double alphaBar(double x, double s) {
    double c = Math.cos((x + s) / (1 + s) * Math.PI / 2);
    return c * c;
  }

  private static void check(int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("a noise schedule needs at least one timestep, got " + steps);
    }
  }

  public int steps() {
    return betas.length;
  }

  public double beta(int t) {
    return betas[t];
  }

  /** alpha_bar_t; 1 for t < 0 (the clean data before the first step). */
  public double alphaCumprod(int t) {
    return t < 0 ? 1.0 : alphasCumprod[t];
  }

  /** x_t = sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise. */
  public float[] addNoise(float[] x0, float[] noise, int t) {
    if (x0.length != noise.length) {
      throw new IllegalArgumentException("x0 has " + x0.length + " values, noise " + noise.length);
    }
    double a = Math.sqrt(alphaCumprod(t));
    double s = Math.sqrt(1 - alphaCumprod(t));
    float[] out = new float[x0.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (a * x0[i] + s * noise[i]);
    }
    return out;
  }

  /** The clean sample implied by an epsilon prediction: (x_t - sqrt(1 - a) eps) / sqrt(a). */
  public float[] predictX0(float[] sample, float[] epsilon, int t) {
    double a = alphaCumprod(t);
    double sa = Math.sqrt(a);
    double sb = Math.sqrt(1 - a);
    float[] out = new float[sample.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) ((sample[i] - sb * epsilon[i]) / sa);
    }
    return out;
  }
}
