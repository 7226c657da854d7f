package dev.tessera.plugins.evaluator;

import org.pf4j.Extension;

/** The Twemoji classifier's 128-d features, for FID between Twemoji images. */
@Extension
public class TwemojiFeatureEncoder extends ClassifierFeatureEncoder {
  @Override
  public String name() {
    return "twemoji-features";
  }

  @Override
  public String description() {
    return "128-d features of the Twemoji subcategory classifier (for FID)";
  }
}
