package dev.tessera.api.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * The noise levels of Karras et al. (2022, eq. 5) on a discrete schedule: n sigmas from the
 * schedule's largest (at most {@link #MAX_SIGMA}) to its smallest, spaced as sigma_i = (max^(1/rho) + i/(n-1) (min^(1/rho) -
 * max^(1/rho)))^rho with rho = 7, so more of the steps go to low noise. Each is moved to the
 * timestep whose sigma is nearest in log space (our denoisers take integer timesteps; diffusers
 * interpolates a fractional one instead), and repeats are dropped, so a run may have fewer than n
 * steps when n nears the schedule's length.
 */
public final class KarrasSigmas {
  public static final double RHO = 7;

  /**
   * The largest sigma a run starts from: the schedule's, at most 80 (Karras et al.'s sigma_max).
   * A cosine schedule's last timestep has sigma 2e4 (its betas are clipped at 0.999); spacing from
   * there puts most steps where the image is already pure noise, and on the timestep grid they
   * collapse (20 steps gave 12 distinct timesteps, 11 of them above t = 990).
   */
  public static final double MAX_SIGMA = 80;

  private KarrasSigmas() {}

  /** sigma_t = sqrt((1 - abar_t) / abar_t): the noise level of timestep t in sigma space (0 for t = -1). */
  public static double sigma(NoiseSchedule schedule, int t) {
    double a = schedule.alphaCumprod(t);
    return Math.sqrt((1 - a) / a);
  }

  /** The timesteps of an n-step run, from high noise to low, distinct. */
  public static int[] timesteps(NoiseSchedule schedule, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + n);
    }
    int steps = schedule.steps();
    double min = Math.pow(sigma(schedule, 0), 1 / RHO);
    double max = Math.pow(Math.min(MAX_SIGMA, sigma(schedule, steps - 1)), 1 / RHO);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double s = Math.pow(n == 1 ? max : max + (double) i / (n - 1) * (min - max), RHO);
      int t = nearest(schedule, s);
      if (out.isEmpty() || out.get(out.size() - 1) != t) {
        out.add(t);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The timestep whose sigma is nearest to {@code s} in log space (sigma grows with t). */
  static int nearest(NoiseSchedule schedule, double s) {
    int lo = 0;
    int hi = schedule.steps() - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sigma(schedule, mid) < s) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo > 0 && Math.abs(Math.log(sigma(schedule, lo - 1) / s)) <= Math.abs(Math.log(sigma(schedule, lo) / s))) {
      return lo - 1;
    }
    return lo;
  }
}
