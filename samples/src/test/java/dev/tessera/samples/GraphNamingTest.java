package dev.tessera.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.Encoder;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Tessera's graph naming ({@code IndexedScope}) gives the shipped CLIP's towers exactly the
 * operation names TensorFlow Java's own scopes give them; and {@code bench --workloads
 * pipeline_open} times both.
 */
class GraphNamingTest {
  private static List<String> names(Components components, boolean tensorFlowNaming) {
    GraphScope.useTensorFlowNaming(tensorFlowNaming);
    try (Graph g = new Graph()) {
      ModelWeights clip = components.shippedWeights("clip");
      Encoder encoder = components.encoder("clip");
      GraphScope root = GraphScope.root(g);
      var tokens = root.tf().placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 16)));
      var images = root.tf().placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 28, 28, 1)));
      encoder.encodeText(root.child("clip"), clip.config(), tokens);
      encoder.encodeImages(root.child("clip"), clip.config(), images);
      List<String> out = new ArrayList<>();
      g.operations().forEachRemaining(op -> out.add(op.name()));
      return out;
    } finally {
      GraphScope.useTensorFlowNaming(false);
    }
  }

  @Test
  void theSameOperationNamesAsTensorFlowJava() {
    try (PluginRuntime runtime = PluginRuntime.load(CompareEndToEndTest.PLUGINS)) {
      Components components = Components.create(runtime);
      List<String> indexed = names(components, false);
      assertTrue(indexed.size() > 500, "a whole CLIP: " + indexed.size());
      assertTrue(indexed.stream().anyMatch(n -> n.startsWith("clip_1/")), "the second child 'clip' is clip_1, as TensorFlow names it");
      assertEquals(names(components, true), indexed);
    }
  }

  @Test
  void benchTimesOpeningPipelinesBothWays() {
    CompareEndToEndTest.Run r = CompareEndToEndTest.run("bench", "--workloads", "pipeline_open", "--iterations", "4", "--warmup", "1",
        "--matmul-size", "64");
    assertEquals(0, r.exit(), r.err());
    for (String p : List.of("clip-diffusion", "latent-diffusion", "vqgan-transformer", "clip-gan")) {
      assertTrue(r.out().matches("(?s).*\\n  " + p + " +[0-9.]+ s with Tessera's naming, [0-9.]+ s with TensorFlow Java's: [0-9.]+x\\n.*"), r.out());
    }
  }
}
