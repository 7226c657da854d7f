package dev.tessera.api.options;

import dev.tessera.api.TesseraException;
import java.util.Locale;

/**
 * A numeric option declared once: its key, whether it is an integer, its range and what it means.
 * Every place a value can come from (a command-line flag, a pipeline-file key, a config key, {@code
 * --set}) checks it through the same declaration, so the same value is refused the same way,
 * naming the key (and its flag) and the allowed range. NaN and the infinities are never in range.
 *
 * @param key the snake_case key of files and configs
 * @param flag the command-line flag that sets it (by default the key with dashes: {@code --guidance-scale})
 * @param integer whether only whole numbers are allowed
 * @param minExclusive whether {@code min} itself is outside the range ("(0, 10]")
 */
public record NumberOption(String key, String flag, boolean integer, double min, boolean minExclusive, double max, String meaning) {

  /** An integer in [min, max]. */
  public static NumberOption integer(String key, long min, long max, String meaning) {
    return new NumberOption(key, dashed(key), true, min, false, max, meaning);
  }

  /** A finite number in [min, max]. */
  public static NumberOption real(String key, double min, double max, String meaning) {
    return new NumberOption(key, dashed(key), false, min, false, max, meaning);
  }

  /** A finite number in (0, max]. */
  public static NumberOption positive(String key, double max, String meaning) {
    return new NumberOption(key, dashed(key), false, 0, true, max, meaning);
  }

  /** The same option set by another flag than the dashed key ({@code learning_rate} by {@code --lr}). */
  public NumberOption withFlag(String otherFlag) {
    return new NumberOption(key, otherFlag, integer, min, minExclusive, max, meaning);
  }

  private static String dashed(String key) {
    return "--" + key.replace('_', '-');
  }

  /** "an integer in [1, 10000]", "a number in (0, 10]". */
  public String range() {
    return (integer ? "an integer" : "a number") + " in " + (minExclusive ? "(" : "[") + format(min) + ", " + format(max) + "]";
  }

  /** {@code value} when it is in range, else a TesseraException naming the key, its flag, the range and the value. */
  public double check(double value) {
    boolean ok = !Double.isNaN(value) && (minExclusive ? value > min : value >= min) && value <= max
        && (!integer || value == Math.rint(value));
    if (!ok) {
      throw new TesseraException(key + " (" + flag + ", " + meaning + ") must be " + range() + ", got " + format(value));
    }
    return value;
  }

  /** An integer option's value, checked. */
  public int checkInt(long value) {
    if (!integer || max > Integer.MAX_VALUE) {
      throw new IllegalStateException(key + " is not an int option");
    }
    return (int) check(value);
  }

  /** A long option's value, checked. */
  public long checkLong(long value) {
    if (!integer) {
      throw new IllegalStateException(key + " is not an integer option");
    }
    return (long) check(value);
  }

  /** A float option's value, checked (the range must lie within float range). */
  public float checkFloat(double value) {
    return (float) check(value);
  }

  private static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }
}
