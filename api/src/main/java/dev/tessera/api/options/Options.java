package dev.tessera.api.options;

import dev.tessera.api.TesseraException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The values of one extension's options: its declared defaults, overridden by what the user gave
 * (each checked by its {@link OptionSpec}). A key the extension does not declare is an error
 * naming the keys it does, so a typo never passes silently.
 */
public final class Options {
  private final Map<String, OptionSpec> specs = new LinkedHashMap<>();
  private final Map<String, Object> values = new LinkedHashMap<>();
  private final java.util.Set<String> given = new java.util.HashSet<>();

  private Options() {}

  /**
   * @param owner what declares the options, for messages ("pipeline 'my-pipeline'")
   * @param given key to raw value (text, JSON value or Java value), in the order given
   */
  public static Options of(String owner, List<OptionSpec> declared, Map<String, ?> given) {
    return of(owner, declared, given, Map.of());
  }

  /**
   * As above, with values meant for several extensions at once (a flag of {@code compare} that
   * reaches every pipeline compared): each is taken where it is declared, over the value in
   * {@code given}, and ignored elsewhere.
   */
  public static Options of(String owner, List<OptionSpec> declared, Map<String, ?> given, Map<String, ?> whereDeclared) {
    Options o = new Options();
    for (OptionSpec s : declared) {
      o.specs.put(s.key(), s);
      o.values.put(s.key(), s.defaultValue());
    }
    for (Map.Entry<String, ?> e : given.entrySet()) {
      OptionSpec s = o.specs.get(e.getKey());
      if (s == null) {
        throw new TesseraException((e.getValue() instanceof FromFile f ? f.source() + ": " : "") + owner + " has no option '" + e.getKey() + "' ("
            + (o.specs.isEmpty() ? "it takes none" : "its options: " + String.join(", ", new TreeSet<>(o.specs.keySet()))) + ")");
      }
      o.values.put(s.key(), s.parse(e.getValue()));
      o.given.add(s.key());
    }
    for (Map.Entry<String, ?> e : whereDeclared.entrySet()) {
      OptionSpec s = o.specs.get(e.getKey());
      if (s != null) {
        o.values.put(s.key(), s.parse(e.getValue()));
        o.given.add(s.key());
      }
    }
    return o;
  }

  public long getLong(String key) {
    return ((Number) require(key)).longValue();
  }

  public int getInt(String key) {
    return Math.toIntExact(getLong(key));
  }

  public double getDouble(String key) {
    return ((Number) require(key)).doubleValue();
  }

  public boolean getBoolean(String key) {
    return (Boolean) require(key);
  }

  /** A text or choice option's value, null when it has no default and was not given. */
  public String getString(String key) {
    if (!specs.containsKey(key)) {
      throw new IllegalArgumentException("no option '" + key + "' declared");
    }
    return (String) values.get(key);
  }

  /** A path option's value, null when it has no default and was not given. */
  public java.nio.file.Path getPath(String key) {
    if (!specs.containsKey(key)) {
      throw new IllegalArgumentException("no option '" + key + "' declared");
    }
    return (java.nio.file.Path) values.get(key);
  }

  /** Whether the user gave {@code key} (as opposed to its default applying). */
  public boolean given(String key) {
    return given.contains(key);
  }

  /** Every option's value (defaults included), for manifests. */
  public Map<String, Object> asMap() {
    return Collections.unmodifiableMap(values);
  }

  private Object require(String key) {
    if (!specs.containsKey(key)) {
      throw new IllegalArgumentException("no option '" + key + "' declared");
    }
    Object v = values.get(key);
    if (v == null) {
      throw new TesseraException("option '" + key + "' has no value and no default");
    }
    return v;
  }
}
