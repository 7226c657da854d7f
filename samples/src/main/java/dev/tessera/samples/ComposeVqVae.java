package dev.tessera.samples;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.pipeline.ImageMetrics;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.nio.file.Path;
import java.util.Locale;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Composes an encoder, a quantizer and a decoder picked by name from whatever plugins are loaded,
 * in one TensorFlow graph, and reconstructs a folder of PNGs with the VQ-VAE's shipped weights.
 *
 * <pre>java -cp ... dev.tessera.samples.ComposeVqVae PLUGINS_DIR IMAGES_DIR OUTPUT_DIR</pre>
 */
public final class ComposeVqVae {
  public static void main(String[] args) {
    Path pluginsDir = Path.of(args.length > 0 ? args[0] : "runtime/target/dist/plugins");
    Path imagesDir = Path.of(args.length > 1 ? args[1] : "samples/images/fashion-mnist");
    Path outputDir = Path.of(args.length > 2 ? args[2] : "out/compose-vqvae");
    System.out.printf(Locale.ROOT, "mean PSNR %.2f dB -> %s%n", run(pluginsDir, imagesDir, outputDir), outputDir);
  }

  /** Returns the mean PSNR of the reconstructions. */
  public static double run(Path pluginsDir, Path imagesDir, Path outputDir) {
    try (PluginRuntime plugins = PluginRuntime.load(pluginsDir)) {
      Components components = Components.create(plugins);
      // 1. Pick the parts by name: any plugin providing these names would do.
      Encoder encoder = components.encoder("vqvae");
      Quantizer quantizer = components.quantizer("vector-quantizer");
      Decoder decoder = components.decoder("vqvae");
      ModelWeights weights = components.model("vqvae").shippedWeights();
      ModelConfig config = weights.config();

      ImageBatch images = PngImages.readFolder(imagesDir, 28, 28, 1, PngImages.ResizeMode.ERROR).images();
      try (Graph graph = new Graph()) {
        // 2. Build them into one graph, under the scope names their weights use.
        GraphScope root = GraphScope.root(graph);
        GraphScope model = root.child("vqvae");
        Placeholder<TFloat32> x = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
        Operand<TFloat32> latents = encoder.encodeImages(model.child("encoder"), config, x);
        Quantization q = quantizer.quantize(model.child("quantizer"), config, latents);
        Operand<TFloat32> y = decoder.decode(model.child("decoder"), config, q.quantized());

        try (Session session = new Session(graph)) {
          // 3. Load the weights by name into the variables the components created.
          root.variables().load(session, weights.parameters(), VariableStore.MODEL_WEIGHTS, true);
          try (TFloat32 in = Tensors.images(images); Result r = session.runner().feed(x, in).fetch(y).run()) {
            ImageBatch out = Tensors.toImages(r.get(0)).clamped();
            PngImages.writeAll(outputDir, out, null);
            return ImageMetrics.meanPsnr(images, out);
          }
        }
      }
    }
  }
}
