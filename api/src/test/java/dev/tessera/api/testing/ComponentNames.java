package dev.tessera.api.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Pattern;

/**
 * The names components are registered, looked up and scoped by ({@code ./tessera plugins},
 * {@code components.decoder("vqvae")}, a pipeline file's {@code "score_guidance"}): lower-case words
 * of letters and digits joined by single hyphens, such as {@code vqvae}, {@code vector-quantizer},
 * {@code dalle2-prior}. Such a name is also a valid scope and variable name, which pipelines use
 * when a config names no scope.
 */
public final class ComponentNames {
  public static final Pattern VALID = Pattern.compile("[a-z][a-z0-9]*(-[a-z0-9]+)*");

  private ComponentNames() {}

  /** Fails unless {@code name} is a valid component name. */
  public static void assertValid(String kind, String name) {
    assertNotNull(name, kind + " name() returned null");
    assertTrue(VALID.matcher(name).matches(),
        kind + " name '" + name + "' is not a component name: lower-case letters and digits, words joined by single '-'");
  }
}
