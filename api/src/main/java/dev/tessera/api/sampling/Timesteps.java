package dev.tessera.api.sampling;

/** Evenly spaced timesteps from T-1 down to 0 ("linspace" spacing of diffusers). */
final class Timesteps {
  private Timesteps() {}

  static int[] evenlySpaced(int trainSteps, int n) {
    if (n < 1 || n > trainSteps) {
      throw new IllegalArgumentException("number of sampling steps must be in 1.." + trainSteps + ", got " + n);
    }
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = n == 1 ? trainSteps - 1 : (int) Math.round((double) (trainSteps - 1) * (n - 1 - i) / (n - 1));
    }
    return t;
  }

  /** The timestep after {@code timesteps[i]}, or -1 (clean data) after the last. */
  static int next(int[] timesteps, int t) {
    for (int i = 0; i < timesteps.length; i++) {
      if (timesteps[i] == t) {
        return i + 1 < timesteps.length ? timesteps[i + 1] : -1;
      }
    }
    throw new IllegalArgumentException("timestep " + t + " is not one of this run's; call setTimesteps first");
  }
}
