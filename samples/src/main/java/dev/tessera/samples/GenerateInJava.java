package dev.tessera.samples;

import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.Tessera;
import java.nio.file.Path;

/**
 * Generating from a Java program: the shipped diffusion model with another scheduler and fewer
 * steps, four images, saved as {@code ./tessera generate} saves them.
 * Run: {@code java -cp ... dev.tessera.samples.GenerateInJava runtime/target/dist/plugins out/java}.
 */
public final class GenerateInJava {
  private GenerateInJava() {}

  public static Path run(Path plugins, Path out) {
    try (Tessera tessera = Tessera.open(plugins)) {
      Images images = tessera.pipeline("clip-diffusion")
          .option("scheduler", "dpm-solver++")
          .option("steps", 20)
          .generate("a photo of a bag", 4, 1);
      return images.save(out);
    }
  }

  public static void main(String[] args) {
    System.out.println(run(Path.of(args[0]), Path.of(args[1])));
  }
}
