package dev.tessera.api.sampling;

import dev.tessera.api.spi.Component;

/**
 * A sampler as an extension: a plugin that implements this (annotated {@code @Extension}) adds a
 * scheduler that {@code --scheduler NAME}, a pipeline file's {@code "scheduler"} and {@code
 * compare} pick by name, beside the built-in ones ({@link Schedulers}). The scheduler itself is
 * one class implementing {@link Scheduler} (extend {@link SigmaSpaceScheduler} for one that works
 * in sigma space).
 */
public interface SchedulerProvider extends Component {
  /** A fresh scheduler over {@code schedule}; {@code eta} is DDIM's noise, for schedulers that take one. */
  Scheduler create(NoiseSchedule schedule, double eta);
}
