package dev.tessera.plugins.evaluator;

import org.pf4j.Extension;

/** The Twemoji classifier's subcategory probabilities (as many as its config.json names). */
@Extension
public class TwemojiClassEncoder extends ClassProbabilityEncoder {
  @Override
  public String name() {
    return "twemoji-classifier";
  }

  @Override
  public String description() {
    return "Twemoji subcategory probabilities of the evaluator's classifier";
  }
}
