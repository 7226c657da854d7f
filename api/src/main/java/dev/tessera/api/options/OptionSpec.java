package dev.tessera.api.options;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import java.util.List;

/**
 * One option a pipeline (or any extension) declares: its key, type, default and what it means; a
 * number's range is a {@link NumberOption}, a choice's values a list. {@link #parse} turns what a
 * user gave (text from the command line, a JSON value from a pipeline file, a Java value from
 * code) into the typed value, or refuses it naming the key and what is allowed.
 */
public record OptionSpec(String key, Type type, Object defaultValue, NumberOption range, List<String> choices, String meaning) {
  public enum Type {
    INTEGER("an integer"), NUMBER("a number"), TEXT("text"), BOOLEAN("true or false"), CHOICE("one of"), PATH("a path");

    private final String words;

    Type(String words) {
      this.words = words;
    }
  }

  public OptionSpec {
    choices = choices == null ? List.of() : List.copyOf(choices);
    if (defaultValue != null) {
      defaultValue = parseChecked(key, type, range, choices, defaultValue);
    }
  }

  /** An integer in the range of {@code range}, {@code defaultValue} when not given. */
  public static OptionSpec integer(NumberOption range, long defaultValue) {
    return new OptionSpec(range.key(), Type.INTEGER, defaultValue, range, List.of(), range.meaning());
  }

  /** A number in the range of {@code range}. */
  public static OptionSpec number(NumberOption range, double defaultValue) {
    return new OptionSpec(range.key(), Type.NUMBER, defaultValue, range, List.of(), range.meaning());
  }

  /** One of {@code choices}. */
  public static OptionSpec choice(String key, List<String> choices, String defaultValue, String meaning) {
    return new OptionSpec(key, Type.CHOICE, defaultValue, null, choices, meaning);
  }

  /** Any text (a name, a path); null default: not set. */
  public static OptionSpec text(String key, String defaultValue, String meaning) {
    return new OptionSpec(key, Type.TEXT, defaultValue, null, List.of(), meaning);
  }

  /**
   * A file or folder; null default: not set. Relative paths from a pipeline file are resolved
   * against its folder ({@link FromFile}), others against the working directory.
   */
  public static OptionSpec path(String key, String meaning) {
    return new OptionSpec(key, Type.PATH, null, null, List.of(), meaning);
  }

  public static OptionSpec bool(String key, boolean defaultValue, String meaning) {
    return new OptionSpec(key, Type.BOOLEAN, defaultValue, null, List.of(), meaning);
  }

  /**
   * The typed value (Long, Double, String, Boolean or Path) of {@code raw}: a String from the
   * command line, a {@link JsonNode} from a file (inside a {@link FromFile}), or a Java
   * Number, String, Boolean or Path.
   */
  public Object parse(Object raw) {
    return parseChecked(key, type, range, choices, raw);
  }

  /** "steps: an integer in [1, 10000], default 50 (sampling steps)", for listings. */
  public String describe() {
    String what = switch (type) {
      case INTEGER, NUMBER -> range.range();
      case CHOICE -> "one of " + String.join(", ", choices);
      default -> type.words;
    };
    return key + ": " + what + (defaultValue == null ? "" : ", default " + defaultValue) + " (" + meaning + ")";
  }

  private static Object parseChecked(String key, Type type, NumberOption range, List<String> choices, Object raw) {
    if (raw instanceof FromFile f) {
      try {
        return parseValue(key, type, range, choices, f.value(), f.base());
      } catch (TesseraException e) {
        throw new TesseraException(f.source() + ": " + e.getMessage(), e);
      }
    }
    return parseValue(key, type, range, choices, raw, null);
  }

  private static Object parseValue(String key, Type type, NumberOption range, List<String> choices, Object raw, java.nio.file.Path base) {
    if (raw instanceof JsonNode n) {
      // In a file a number is a JSON number and a boolean a JSON boolean, not text that reads as one.
      boolean fits = switch (type) {
        case INTEGER, NUMBER -> n.isNumber();
        case BOOLEAN -> n.isBoolean();
        default -> n.isTextual();
      };
      if (!fits) {
        String what = switch (type) {
          case INTEGER, NUMBER -> range.range() + " (" + range.meaning() + ")";
          case CHOICE -> "one of " + String.join(", ", choices);
          default -> type.words;
        };
        throw new TesseraException(key + " must be " + what + ", got " + n);
      }
      raw = n.isNumber() ? (Object) (n.isIntegralNumber() && n.canConvertToLong() ? (Object) n.longValue() : n.doubleValue())
          : n.isBoolean() ? (Object) n.booleanValue() : n.isTextual() ? n.textValue() : n;
    }
    switch (type) {
      case INTEGER, NUMBER -> {
        double v;
        if (raw instanceof Number x) {
          v = x.doubleValue();
        } else if (raw instanceof String s && s.strip().matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
          v = Double.parseDouble(s.strip());
        } else {
          throw new TesseraException(key + " must be " + range.range() + " (" + range.meaning() + "), got " + show(raw));
        }
        range.check(v);
        return type == Type.INTEGER ? (Object) (long) v : (Object) v;
      }
      case BOOLEAN -> {
        if (raw instanceof Boolean b) {
          return b;
        }
        if ("true".equals(raw) || "false".equals(raw)) {
          return Boolean.parseBoolean((String) raw);
        }
        throw new TesseraException(key + " must be true or false, got " + show(raw));
      }
      case CHOICE -> {
        if (raw instanceof String s && choices.contains(s)) {
          return s;
        }
        throw new TesseraException(key + " must be one of " + String.join(", ", choices) + ", got " + show(raw));
      }
      case PATH -> {
        if (raw instanceof java.nio.file.Path p) {
          return p;
        }
        if (!(raw instanceof String s)) {
          throw new TesseraException(key + " must be a path, got " + show(raw));
        }
        try {
          return base == null ? java.nio.file.Path.of(s) : base.resolve(s).normalize();
        } catch (java.nio.file.InvalidPathException e) { // a NUL or an unpaired surrogate
          throw new TesseraException(key + " is not a valid path: " + show(raw));
        }
      }
      default -> {
        if (raw instanceof String s) {
          return s;
        }
        throw new TesseraException(key + " must be text, got " + show(raw));
      }
    }
  }

  private static String show(Object raw) {
    return raw instanceof String s ? "'" + s + "'" : String.valueOf(raw);
  }
}
