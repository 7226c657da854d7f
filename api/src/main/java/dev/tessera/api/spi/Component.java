package dev.tessera.api.spi;

import org.pf4j.ExtensionPoint;

/**
 * What every extension of every SPI is: a part found by its name ({@code ./tessera plugins} lists
 * them with their descriptions). The SPIs extend it, so code that lists or looks up parts does so
 * once for all of them.
 */
public interface Component extends ExtensionPoint {
  /** The name a pipeline, a config or the command line picks this part by: lower case, digits, '-'. */
  String name();

  /** One line on what it is, for listings; empty by default. */
  default String description() {
    return "";
  }
}
