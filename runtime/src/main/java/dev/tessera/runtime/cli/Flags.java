package dev.tessera.runtime.cli;

import dev.tessera.api.options.NumberOption;

/** Numeric flags several commands share, declared once (the pipelines' own are in {@code PipelineSpec}). */
final class Flags {
  private Flags() {}

  static final NumberOption NUM_IMAGES = NumberOption.integer("num_images", 1, 100_000, "images per prompt");
  static final NumberOption LIMIT = NumberOption.integer("limit", 0, 10_000_000, "images read from the data set; 0: all");

  /**
   * A command's subject given positionally or by its option (train MODEL or train --model MODEL):
   * the one given, the same value twice, else a one-line error naming both forms.
   */
  static String subject(picocli.CommandLine command, String positional, String option, String flag, String label) {
    String name = command.getCommandName();
    if (positional != null && option != null && !positional.equals(option)) {
      throw new picocli.CommandLine.ParameterException(command,
          label + " given twice ('" + positional + "' and " + flag + " '" + option + "'): give it once");
    }
    String value = positional != null ? positional : option;
    if (value == null) {
      throw new picocli.CommandLine.ParameterException(command,
          "missing " + label + ": ./tessera " + name + " " + label + " or ./tessera " + name + " " + flag + " " + label);
    }
    return value;
  }
}
