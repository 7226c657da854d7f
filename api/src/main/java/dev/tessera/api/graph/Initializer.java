package dev.tessera.api.graph;

import java.util.SplittableRandom;

/**
 * Produces a parameter's initial values in Java from a seeded generator, so that initialisation
 * is deterministic given the seed and independent of the order in which variables were created.
 */
@FunctionalInterface
public interface Initializer {
  float[] values(long[] shape, SplittableRandom random);

  static long numElements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
