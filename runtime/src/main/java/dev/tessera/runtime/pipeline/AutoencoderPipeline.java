package dev.tessera.runtime.pipeline;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.AutoencodingModel;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Quantization;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.api.graph.SessionFactory;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Encoder -> (quantizer) -> decoder, each picked by name, in one graph with loaded weights:
 * the {@code vqvae} reconstruction pipeline. When no part is named and the weights' model is an
 * {@link AutoencodingModel}, the model builds the round trip itself. Owns its graph and session; close it.
 *
 * <pre>{@code
 * try (AutoencoderPipeline p = AutoencoderPipeline.builder(components)
 *     .encoder("vqvae").quantizer("vector-quantizer").decoder("vqvae")
 *     .weights(ModelWeights.load(dir)).build()) {
 *   ImageBatch out = p.reconstruct(images).images();
 * }
 * }</pre>
 */
public final class AutoencoderPipeline implements AutoCloseable {

  /** Reconstructed images and, when there is a quantizer, the code of every latent position. */
  public record Reconstruction(ImageBatch images, int[] codes, long[] codeShape) {}

  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Operand<TFloat32> output;
  private final Operand<TInt32> codes;
  private final ModelConfig config;
  private final int batchSize;

  private AutoencoderPipeline(Builder b) {
    this.config = b.weights.config();
    String modelName = config.getString("model", "");
    AutoencodingModel whole = b.encoder == null && b.quantizer == null && b.decoder == null && b.components.models().has(modelName)
        && b.components.model(modelName) instanceof AutoencodingModel m ? m : null;
    Encoder encoder = whole != null ? null : b.components.encoder(b.encoder != null ? b.encoder : config.getString("encoder", null));
    String quantizerName = b.quantizer != null ? b.quantizer : config.getString("quantizer", null);
    Quantizer quantizer = whole != null || quantizerName == null || quantizerName.isEmpty() ? null : b.components.quantizer(quantizerName);
    Decoder decoder = whole != null ? null : b.components.decoder(b.decoder != null ? b.decoder : config.getString("decoder", null));
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    this.batchSize = b.batchSize;
    this.graph = new Graph();
    Session opened = null;
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(b.device));
      GraphScope scope = root.child(config.getString("scope", "model"));
      this.input = root.tf().withName("images").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, size, size, channels)));
      Operand<TFloat32> decoded;
      Operand<TInt32> codeOp = null;
      if (whole != null) {
        decoded = whole.reconstruct(root, config, b.components, input);
      } else {
        Operand<TFloat32> latents = encoder.encodeImages(scope.child("encoder"), config, input);
        if (quantizer != null) {
          Quantization q = quantizer.quantize(scope.child("quantizer"), config, latents);
          latents = q.quantized();
          codeOp = q.codes();
        }
        decoded = decoder.decode(scope.child("decoder"), config, latents);
      }
      this.codes = codeOp;
      this.output = root.tf().clipByValue(decoded, root.tf().constant(0f), root.tf().constant(1f));
      opened = SessionFactory.create(graph);
      this.session = opened;
      // Every variable must be there; tensors the pipeline does not run (a VQGAN's discriminator,
      // frozen networks it trained with) may be too.
      root.variables().load(session, b.weights.parameters(), VariableStore.MODEL_WEIGHTS, false);
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.close(); // a graph cannot close while a session on it is open
      }
      graph.close();
      throw e;
    }
  }

  public static Builder builder(Components components) {
    return new Builder(components);
  }

  public ModelConfig config() {
    return config;
  }

  public Reconstruction reconstruct(ImageBatch images) {
    int size = config.getPositiveInt("image_size", 28);
    int channels = config.getPositiveInt("channels", 1);
    if (images.height() != size || images.width() != size || images.channels() != channels) {
      throw new TesseraException("the model takes " + size + "x" + size + "x" + channels + " images, got "
          + images.height() + "x" + images.width() + "x" + images.channels());
    }
    List<ImageBatch> parts = new ArrayList<>();
    List<int[]> codeParts = new ArrayList<>();
    long[] codeShape = null;
    for (int from = 0; from < images.count(); from += batchSize) {
      ImageBatch chunk = images.slice(from, Math.min(images.count(), from + batchSize));
      try (TFloat32 x = Tensors.images(chunk)) {
        Session.Runner r = session.runner().feed(input, x).fetch(output);
        if (codes != null) {
          r.fetch(codes);
        }
        try (Result result = r.run()) {
          parts.add(Tensors.toImages(result.get(0)));
          if (codes != null) {
            codeParts.add(Tensors.toInts(result.get(1)));
            codeShape = result.get(1).shape().asArray();
          }
        }
      }
    }
    ImageBatch out = parts.isEmpty() ? new ImageBatch(0, size, size, channels, new float[0]) : ImageBatch.stack(parts);
    int total = codeParts.stream().mapToInt(a -> a.length).sum();
    int[] all = new int[total];
    int at = 0;
    for (int[] c : codeParts) {
      System.arraycopy(c, 0, all, at, c.length);
      at += c.length;
    }
    if (codeShape != null) {
      codeShape[0] = images.count();
    }
    return new Reconstruction(out, codes == null ? null : all, codeShape);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }

  /** Picks the parts by name; names absent here come from the weights' config.json. */
  public static final class Builder {
    private final Components components;
    private String encoder;
    private String quantizer;
    private String decoder;
    private ModelWeights weights;
    private int batchSize = 64;
    private String device = "cpu";

    private Builder(Components components) {
      this.components = components;
    }

    public Builder encoder(String name) {
      this.encoder = name;
      return this;
    }

    public Builder quantizer(String name) {
      this.quantizer = name;
      return this;
    }

    public Builder decoder(String name) {
      this.decoder = name;
      return this;
    }

    public Builder weights(ModelWeights w) {
      this.weights = w;
      return this;
    }

    public Builder batchSize(int n) {
      this.batchSize = dev.tessera.api.pipeline.PipelineOptions.BATCH_SIZE.checkInt(n);
      return this;
    }

    public Builder device(String d) {
      this.device = d;
      return this;
    }

    public AutoencoderPipeline build() {
      if (weights == null) {
        throw new TesseraException("no weights given: call weights(ModelWeights.load(dir))");
      }
      return new AutoencoderPipeline(this);
    }
  }
}
