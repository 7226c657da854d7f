package dev.tessera.plugins.diffusion;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.sampling.NoiseSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * The hyper-parameters of the noisy classifier, read from its config.json.
 *
 * @param levels channels per resolution level (one time-conditioned residual block each, halving
 *     the resolution between levels)
 * @param classNames one entry per class: the names a prompt may use for it, separated by "|"
 *     ("sneaker|sneakers|trainer")
 * @param timesteps, betaSchedule the noise schedule; must match the diffusion model it guides
 */
record NoisyClassifierConfig(int imageSize, int channels, int[] levels, int embedDim, int groups, int timesteps, String betaSchedule,
    List<List<String>> classNames) {

  static ModelConfig defaults() {
    return ModelConfig.empty()
        .with("model", "noisy-classifier").with("scope", "noisy_classifier")
        .with("image_size", 28).with("channels", 1)
        .with("classifier_channels", new int[] {32, 64, 64}).with("embed_dim", 32).with("groups", 8)
        .with("timesteps", 1000).with("beta_schedule", "cosine")
        .with("class_names", List.of("t-shirt|t-shirts|tee|tee shirt|top|tops", "trouser|trousers|pants|jeans", "pullover|pullovers|sweater|jumper",
            "dress|dresses", "coat|coats|jacket", "sandal|sandals", "shirt|shirts|blouse", "sneaker|sneakers|trainer|trainers",
            "bag|bags|handbag|purse", "ankle boot|ankle boots|boot|boots"))
        .with("learning_rate", 1e-3).with("batch_size", 64);
  }

  static NoisyClassifierConfig from(ModelConfig c) {
    int[] levels = c.getIntArray("classifier_channels", new int[] {32, 64, 64});
    int imageSize = c.getPositiveInt("image_size", 28);
    int reduction = 1 << (levels.length - 1);
    if (imageSize % reduction != 0) {
      throw new TesseraException(c.source() + ": image_size " + imageSize + " must be divisible by " + reduction);
    }
    List<List<String>> names = new ArrayList<>();
    com.fasterxml.jackson.databind.JsonNode list = c.node("class_names");
    if (list == null || !list.isArray() || list.size() < 2) {
      throw new TesseraException(c.source() + ": 'class_names' must list at least two classes");
    }
    for (com.fasterxml.jackson.databind.JsonNode n : list) {
      if (!n.isTextual() || n.asText().isBlank()) {
        throw new TesseraException(c.source() + ": every entry of 'class_names' must be a non-empty string, got " + n);
      }
      names.add(List.of(n.asText().trim().toLowerCase(java.util.Locale.ROOT).split("\\s*\\|\\s*")));
    }
    return new NoisyClassifierConfig(imageSize, c.getPositiveInt("channels", 1), levels, c.getPositiveInt("embed_dim", 32),
        c.getPositiveInt("groups", 8), c.getPositiveInt("timesteps", 1000), c.getString("beta_schedule", "cosine"), List.copyOf(names));
  }

  int classes() {
    return classNames.size();
  }

  NoiseSchedule schedule() {
    try {
      return NoiseSchedule.named(betaSchedule, timesteps);
    } catch (IllegalArgumentException e) {
      throw new TesseraException("noisy classifier: " + e.getMessage());
    }
  }

  /** The class whose longest name occurs in the prompt as whole words, or -1. */
  int classOf(String prompt) {
    String p = " " + prompt.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", " ") + " ";
    int best = -1;
    int bestLength = 0;
    for (int c = 0; c < classNames.size(); c++) {
      for (String name : classNames.get(c)) {
        if (name.length() > bestLength && p.contains(" " + name + " ")) {
          best = c;
          bestLength = name.length();
        }
      }
    }
    return best;
  }
}
