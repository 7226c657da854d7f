package dev.tessera.plugins.evaluator;

import org.pf4j.Extension;

/** The Fashion-MNIST classifier's class probabilities (10). */
@Extension
public class FashionClassEncoder extends ClassProbabilityEncoder {
  @Override
  public String name() {
    return "fashion-classifier";
  }

  @Override
  public String description() {
    return "Fashion-MNIST class probabilities of the evaluator's classifier";
  }
}
