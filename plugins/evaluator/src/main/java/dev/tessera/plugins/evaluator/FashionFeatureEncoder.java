package dev.tessera.plugins.evaluator;

import org.pf4j.Extension;

/** The Fashion-MNIST classifier's 128-d features, for FID and diversity. */
@Extension
public class FashionFeatureEncoder extends ClassifierFeatureEncoder {
  @Override
  public String name() {
    return "fashion-features";
  }

  @Override
  public String description() {
    return "128-d features of the Fashion-MNIST classifier (for FID)";
  }
}
