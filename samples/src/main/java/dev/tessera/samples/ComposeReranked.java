package dev.tessera.samples;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.PngImages;
import dev.tessera.runtime.pipeline.EmbeddingPipeline;
import dev.tessera.runtime.pipeline.PromptCheck;
import dev.tessera.runtime.pipeline.ReferencedWeights;
import dev.tessera.runtime.pipeline.RerankedPipeline;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import dev.tessera.api.graph.SessionFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A generator composed in code from two plugins: the clip plugin's tokenizer and text encoder
 * condition the decoder of a one-pass generator plugin (the CLIP+GAN generator, or the CLIP+VAE
 * decoder), which draws {@code k} candidates per image; the clip plugin's image encoder then
 * keeps, of each k, the candidate closest to the prompt. No pipeline class is involved: the parts
 * are picked by name and built into one graph here.
 *
 * <pre>java -cp ... dev.tessera.samples.ComposeReranked PLUGINS_DIR "a photo of a bag" OUTPUT_DIR [COUNT [K [MODEL]]]</pre>
 * MODEL is clip-gan (default) or clip-vae.
 */
public final class ComposeReranked {
  /** Mean CLIP similarity to the prompt of the first candidate of each group, and of the kept ones. */
  public record Result(double firstCandidates, double reranked, ImageBatch images) {}

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

  /** @param model a trained model whose decoder maps [z, CLIP text embedding] to images: clip-gan or clip-vae */
  public static Result run(Path pluginsDir, String model, String prompt, int count, int k, long seed, Path outputDir) {
    try (PluginRuntime plugins = PluginRuntime.load(pluginsDir)) {
      Components components = Components.create(plugins);
      // 1. The parts, by name, from two plugins; the generator's weights reference CLIP's by fingerprint.
      ModelWeights generator = ReferencedWeights.complete(components.model(model).shippedWeights(), components);
      ModelConfig config = generator.config();
      ModelConfig clipConfig = config.section("text_encoder");
      Tokenizer tokenizer = components.tokenizer("clip");
      Encoder clip = components.encoder("clip");
      Decoder decoder = components.decoder(config.getString("decoder", model));
      int latent = config.getPositiveInt("latent_dim", 16);
      int textLength = clipConfig.getPositiveInt("text_length", 16);

      ImageBatch candidates;
      try (Graph graph = new Graph()) {
        // 2. One graph: prompt tokens -> CLIP text embedding, tiled beside z -> the decoder, built under
        //    the scope its weights use (the GAN's weight average: gan.generator_ema).
        GraphScope root = GraphScope.root(graph);
        var tf = root.tf();
        Placeholder<TInt32> tokens = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(1, textLength)));
        Placeholder<TFloat32> z = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(count * k, latent)));
        Operand<TFloat32> text = clip.encodeText(root.child("clip"), clipConfig, tokens);
        Operand<TFloat32> condition = tf.tile(text, tf.constant(new int[] {count * k, 1}));
        GraphScope decoderScope = root.descend(config.getString("decoder_scope", config.getString("scope", "vae") + ".decoder"));
        Operand<TFloat32> images = decoder.decode(decoderScope, config, tf.concat(List.of(z, condition), tf.constant(1)));
        // 3. Weights by name into the variables the parts created.
        try (Session session = SessionFactory.createLoaded(graph, root.variables(), generator.parameters());
            TInt32 t = Tensors.ints(new long[] {1, textLength}, PromptCheck.tokens(tokenizer, prompt, textLength).ids());
            TFloat32 noise = Tensors.floats(new long[] {count * k, latent}, Scheduler.gaussian(count * k * latent, new SplittableRandom(seed)));
            org.tensorflow.Result r = session.runner().feed(tokens, t).feed(z, noise).fetch(images).run()) {
          candidates = Tensors.toImages(r.get(0)).clamped();
        }
      }
      // 4. Re-rank with CLIP's image encoder: keep the closest of each group of k.
      try (EmbeddingPipeline rank = new EmbeddingPipeline(components, components.model("clip").shippedWeights(), 256, "cpu")) {
        Embedding promptEmbedding = rank.embedTexts(List.of(prompt));
        Embedding imageEmbeddings = rank.embedImages(candidates);
        int[] keep = RerankedPipeline.bestOfEach(imageEmbeddings, promptEmbedding, k);
        double first = 0;
        double kept = 0;
        for (int i = 0; i < count; i++) {
          first += imageEmbeddings.dot(i * k, promptEmbedding, 0);
          kept += imageEmbeddings.dot(keep[i], promptEmbedding, 0);
        }
        ImageBatch best = candidates.select(keep);
        PngImages.writeAll(outputDir, best, null);
        PngImages.writeGrid(outputDir.resolve("grid.png"), best, (int) Math.ceil(Math.sqrt(count)));
        return new Result(first / count, kept / count, best);
      }
    }
  }
}
