package dev.tessera.runtime.cli;

import dev.tessera.api.options.NumberOption;

/** Numeric flags several commands share, declared once (the pipelines' own are in {@code PipelineSpec}). */
final class Flags {
  private Flags() {}

  static final NumberOption NUM_IMAGES = NumberOption.integer("num_images", 1, 100_000, "images per prompt");
  static final NumberOption LIMIT = NumberOption.integer("limit", 1, 10_000_000, "images read from the data set");
}
