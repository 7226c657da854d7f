package dev.tessera.runtime.data;

import java.util.SplittableRandom;

/**
 * Text for a training example, drawn afresh each time it is used (so a model sees many phrasings
 * of one image). Deterministic given the generator.
 */
@FunctionalInterface
public interface Captioner {
  String caption(Dataset data, int index, SplittableRandom random);
}
