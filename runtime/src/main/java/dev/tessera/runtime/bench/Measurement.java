package dev.tessera.runtime.bench;

import java.util.List;
import java.util.Locale;

/**
 * One workload's result: median ms per iteration, its analytic FLOPs, the peak resident memory
 * (KiB, VmHWM after a reset before the workload, so it includes what was resident then; -1
 * unknown), how far that peak rose above the resident size at the start, and the share of an
 * iteration spent outside session runs (NaN where not measured).
 *
 * @param flops per iteration; 0 when the workload gives no count
 */
public record Measurement(String workload, String description, double ms, double flops, long peakKiB, long growthKiB, double outsideRunShare) {
  public double gflopsPerSecond() {
    return flops > 0 ? flops / ms / 1e6 : Double.NaN;
  }

  /**
   * The results as a table whose first line is its header; benchmarks/compare reads the rows by
   * workload name from Tessera's and PyTorch's output alike, so keep the columns stable.
   */
  public static String table(List<Measurement> results, double ceilingGflops) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-20s %12s %10s %9s %9s %9s %9s%n",
        "workload", "ms/iter", "GFLOP/s", "/ceiling", "peak_MiB", "grow_MiB", "outside"));
    for (Measurement m : results) {
      double rate = m.gflopsPerSecond();
      b.append(String.format(Locale.ROOT, "%-20s %12.3f %10s %9s %9s %9s %9s%n", m.workload(), m.ms(),
          Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.1f", rate),
          Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.3f", rate / ceilingGflops),
          mib(m.peakKiB()), mib(m.growthKiB()),
          Double.isNaN(m.outsideRunShare()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * m.outsideRunShare())));
    }
    return b.toString();
  }

  /** The workloads with a target share of the matmul ceiling (the training steps and DDIM sampling), and that share. */
  public static final java.util.Set<String> CEILING_TARGETS = java.util.Set.of("model", "unet_train", "unet_sample");
  public static final double CEILING_TARGET = 0.5;

  /** A warning line for each workload with a target that ran below it, for the end of a bench run. */
  public static List<String> belowTarget(List<Measurement> results, double ceilingGflops) {
    List<String> warnings = new java.util.ArrayList<>();
    for (Measurement m : results) {
      double share = m.gflopsPerSecond() / ceilingGflops;
      if (CEILING_TARGETS.contains(m.workload()) && share < CEILING_TARGET) {
        warnings.add(String.format(Locale.ROOT, "WARNING: %s ran at %.2f of the matmul ceiling, below the target %.1f (a busy machine, or "
            + "kernels slow on this CPU: see docs/benchmarks.md, issue 23)", m.workload(), share, CEILING_TARGET));
      }
    }
    return warnings;
  }

  private static String mib(long kib) {
    return kib < 0 ? "-" : String.format(Locale.ROOT, "%.0f", kib / 1024.0);
  }
}
