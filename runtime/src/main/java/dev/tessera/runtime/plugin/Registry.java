package dev.tessera.runtime.plugin;

import dev.tessera.api.TesseraException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The components of one kind by name. Asking for an unknown name lists the known ones; a name
 * two plugins both claim names both.
 */
public final class Registry<T> {
  private final String kind;
  private final Map<String, T> byName;
  private final Map<String, String> conflicts;

  public Registry(String kind, Map<String, T> byName, Map<String, String> conflicts) {
    this.kind = kind;
    this.byName = Collections.unmodifiableMap(new TreeMap<>(byName));
    this.conflicts = Map.copyOf(conflicts);
  }

  public T get(String name) {
    if (name == null) {
      // A weights folder's config.json names its parts; one with the key missing or null lands here.
      throw new TesseraException("no " + kind + " named: the model's config.json lacks its '" + kind + "' (or it is null); available: "
          + String.join(", ", byName.keySet()));
    }
    String conflict = conflicts.get(name);
    if (conflict != null) {
      throw new TesseraException(kind + " '" + name + "' is ambiguous: " + conflict);
    }
    T t = byName.get(name);
    if (t == null) {
      throw new TesseraException("unknown " + kind + " '" + name + "'; available: "
          + (byName.isEmpty() ? "none (is the plugins folder right? see ./tessera plugins)" : String.join(", ", byName.keySet())));
    }
    return t;
  }

  public boolean has(String name) {
    return name != null && byName.containsKey(name) && !conflicts.containsKey(name);
  }

  public Map<String, T> all() {
    return byName;
  }

  /** Names that several plugins bring, with what says which (such a name cannot be used). */
  public Map<String, String> conflicts() {
    return conflicts;
  }

  public String kind() {
    return kind;
  }
}
