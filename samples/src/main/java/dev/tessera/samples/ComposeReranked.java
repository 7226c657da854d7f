package dev.tessera.samples;

import dev.tessera.runtime.embed.Generator;
import dev.tessera.runtime.embed.Images;
import dev.tessera.runtime.embed.Ranker;
import dev.tessera.runtime.embed.Tessera;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A generator composed from parts of two plugins, with no TensorFlow in sight: the CLIP+GAN
 * generator (or the CLIP+VAE decoder), conditioned by the clip plugin's text tower, draws {@code k}
 * candidates per image; the clip plugin's image tower, as a {@link Ranker}, keeps of each k the one
 * closest to the prompt. (The same is one option away, {@code .option("candidates", k)}: see
 * RerankInJava; ComposeVqVae shows composition at the graph level, for gradients through parts.)
 *
 * <pre>java -cp ... dev.tessera.samples.ComposeReranked PLUGINS_DIR "a photo of a bag" OUTPUT_DIR [COUNT [K [MODEL]]]</pre>
 * MODEL is clip-gan (default) or clip-vae.
 */
public final class ComposeReranked {
  /** Mean CLIP similarity to the prompt of the first candidate of each group, and of the kept ones. */
  public record Result(double firstCandidates, double reranked, Images images) {}

  public static void main(String[] args) {
    Path pluginsDir = Path.of(args.length > 0 ? args[0] : "runtime/target/dist/plugins");
    String prompt = args.length > 1 ? args[1] : "a photo of a bag";
    Path outputDir = Path.of(args.length > 2 ? args[2] : "out/compose-reranked");
    int count = args.length > 3 ? Integer.parseInt(args[3]) : 16;
    int k = args.length > 4 ? Integer.parseInt(args[4]) : 8;
    String model = args.length > 5 ? args[5] : "clip-gan";
    Result r = run(pluginsDir, model, prompt, count, k, 1, outputDir);
    System.out.printf(Locale.ROOT, "CLIP similarity to the prompt: %.4f without re-ranking, %.4f keeping the best of %d -> %s%n",
        r.firstCandidates(), r.reranked(), k, outputDir);
  }

  /** @param model a one-pass generator pipeline over [z, CLIP text embedding]: clip-gan or clip-vae */
  public static Result run(Path pluginsDir, String model, String prompt, int count, int k, long seed, Path outputDir) {
    try (Tessera tessera = Tessera.open(pluginsDir);
        Generator generator = tessera.pipeline(model).option("batch_size", count * k).open();
        Ranker clip = tessera.ranker("clip")) {
      Images candidates = generator.generate(prompt, count * k, seed);
      Images best = clip.bestOfEach(candidates, prompt, k);
      best.save(outputDir);
      return new Result((Double) best.run().results().get("clip_similarity_first_candidates"),
          (Double) best.run().results().get("clip_similarity_kept"), best);
    }
  }
}
