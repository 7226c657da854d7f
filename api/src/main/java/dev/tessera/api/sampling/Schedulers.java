package dev.tessera.api.sampling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The built-in schedulers by name, as picked with {@code --scheduler NAME}. */
public final class Schedulers {
  /** Name (and alias) to scheduler, in the order {@link #NAMES} lists the names. */
  private static final Map<String, BiFunction<NoiseSchedule, Double, Scheduler>> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put("ddpm", (schedule, eta) -> new DdpmScheduler(schedule));
    BUILT_IN.put("ddim", DdimScheduler::new);
    BUILT_IN.put("dpm-solver++", (schedule, eta) -> new DpmSolverMultistepScheduler(schedule));
    BUILT_IN.put("euler-a", (schedule, eta) -> new EulerAncestralScheduler(schedule));
    BUILT_IN.put("heun", (schedule, eta) -> new HeunScheduler(schedule));
    BUILT_IN.put("dpmsolver++", BUILT_IN.get("dpm-solver++"));
    BUILT_IN.put("dpm", BUILT_IN.get("dpm-solver++"));
    BUILT_IN.put("euler-ancestral", BUILT_IN.get("euler-a"));
  }

  /** The built-in schedulers' names (their aliases work too). */
  public static final List<String> NAMES = List.of("ddpm", "ddim", "dpm-solver++", "euler-a", "heun");

  private Schedulers() {}

  /**
   * A fresh scheduler by name: a built-in one, else one a plugin brings ({@link SchedulerProvider},
   * found through {@code components}).
   */
  public static Scheduler create(String name, NoiseSchedule schedule, double eta, dev.tessera.api.spi.ComponentLookup components) {
    if (BUILT_IN.containsKey(name) || components == null) {
      return create(name, schedule, eta);
    }
    return components.scheduler(name).create(schedule, eta);
  }

  /** A fresh built-in scheduler; {@code eta} is used by DDIM only. */
  public static Scheduler create(String name, NoiseSchedule schedule, double eta) {
    BiFunction<NoiseSchedule, Double, Scheduler> s = BUILT_IN.get(name);
    if (s == null) {
      throw new IllegalArgumentException("unknown scheduler '" + name + "' (known: " + String.join(", ", NAMES) + ")");
    }
    return s.apply(schedule, eta);
  }
}
