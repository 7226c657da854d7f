package dev.tessera.api.sampling;

import java.util.List;

/** The built-in schedulers by name, as picked with {@code --scheduler NAME}. */
public final class Schedulers {
  public static final List<String> NAMES = List.of("ddpm", "ddim", "dpm-solver++");

  private Schedulers() {}

  /** A fresh scheduler; {@code eta} is used by DDIM only. */
  public static Scheduler create(String name, NoiseSchedule schedule, double eta) {
    return switch (name) {
      case "ddpm" -> new DdpmScheduler(schedule);
      case "ddim" -> new DdimScheduler(schedule, eta);
      case "dpm-solver++", "dpmsolver++", "dpm" -> new DpmSolverMultistepScheduler(schedule);
      default -> throw new IllegalArgumentException("unknown scheduler '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    };
  }
}
