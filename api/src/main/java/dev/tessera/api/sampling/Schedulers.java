package dev.tessera.api.sampling;

import java.util.List;

/** The built-in schedulers by name, as picked with {@code --scheduler NAME}. */
public final class Schedulers {
  public static final List<String> NAMES = List.of("ddpm", "ddim", "dpm-solver++", "euler-a", "heun");

  private Schedulers() {}

  /**
   * A fresh scheduler by name: a built-in one, else one a plugin brings ({@link SchedulerProvider},
   * found through {@code components}).
   */
  public static Scheduler create(String name, NoiseSchedule schedule, double eta, dev.tessera.api.spi.ComponentLookup components) {
    if (NAMES.contains(name) || ALIASES.contains(name) || components == null) {
      return create(name, schedule, eta);
    }
    return components.scheduler(name).create(schedule, eta);
  }

  private static final List<String> ALIASES = List.of("dpmsolver++", "dpm", "euler-ancestral");

  /** A fresh built-in scheduler; {@code eta} is used by DDIM only. */
  public static Scheduler create(String name, NoiseSchedule schedule, double eta) {
    return switch (name) {
      case "ddpm" -> new DdpmScheduler(schedule);
      case "ddim" -> new DdimScheduler(schedule, eta);
      case "dpm-solver++", "dpmsolver++", "dpm" -> new DpmSolverMultistepScheduler(schedule);
      case "euler-a", "euler-ancestral" -> new EulerAncestralScheduler(schedule);
      case "heun" -> new HeunScheduler(schedule);
      default -> throw new IllegalArgumentException("unknown scheduler '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    };
  }
}
