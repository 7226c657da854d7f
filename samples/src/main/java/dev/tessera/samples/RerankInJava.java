package dev.tessera.samples;

import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.Tessera;
import java.nio.file.Path;

/**
 * ComposeReranked's result through the Java API: the CLIP+GAN generator (or CLIP+VAE) draws k
 * candidates per image and CLIP's image tower keeps the one closest to the prompt. The graph-level
 * composition in ComposeReranked stays for those who need the parts themselves.
 */
public final class RerankInJava {
  private RerankInJava() {}

  /** Writes the kept images to {@code out}; returns them (their run's results hold the CLIP similarities before and after). */
  public static Images run(Path plugins, String model, String prompt, int count, int k, long seed, Path out) {
    try (Tessera tessera = Tessera.open(plugins)) {
      Images images = tessera.pipeline(model).option("candidates", k).generate(prompt, count, seed);
      images.save(out);
      return images;
    }
  }

  public static void main(String[] args) {
    Images images = run(Path.of(args[0]), "clip-gan", "a photo of a bag", 16, 8, 1, Path.of(args[1]));
    System.out.println(images.run().results()); // clip_similarity_first_candidates, clip_similarity_kept
  }
}
