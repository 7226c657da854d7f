package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Initializers;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.testing.FuzzTarget;
import dev.tessera.api.testing.HostileFileTest;
import dev.tessera.api.testing.Mutation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * Damaged weights folders ({@code config.json} + {@code model.safetensors}), loaded the way a
 * pipeline loads them: {@link ModelWeights#load}, then a strict {@link VariableStore#load} into a
 * small graph whose shapes come from the config. Tensors of another shape, a missing or an extra
 * tensor are refused; an accepted folder leaves every variable holding exactly the file's values.
 */
class ModelWeightsFuzzTest extends HostileFileTest {
  private static final ModelConfig CONFIG = ModelConfig.empty().with("model", "tiny").with("in", 3).with("out", 2);

  /** One damaged file of the folder; the other is left valid. */
  record FolderCase(String fileName, Mutation damage) {}

  @Override
  protected int cases() {
    return 150;
  }

  @Override
  protected FuzzTarget<?> target(Path dir) {
    Path folder = dir.resolve("weights");
    byte[] config = CONFIG.toJson().getBytes(StandardCharsets.UTF_8);
    byte[] weights = validWeights();
    return new FuzzTarget<FolderCase>() {
      @Override
      public String format() {
        return "weights folder";
      }

      @Override
      public FolderCase intact() {
        return new FolderCase(ModelWeights.CONFIG_FILE, new Mutation("intact", config));
      }

      @Override
      public FolderCase damage(SplittableRandom random) {
        int pick = random.nextInt(100);
        if (pick < 40) {
          return new FolderCase(ModelWeights.CONFIG_FILE, ModelConfigFuzzTest.damage(CONFIG.toJson(), random));
        }
        Mutation m = pick < 60 ? SafeTensorsDamage.reshape(weights, random) : SafeTensorsDamage.any(weights, random);
        return new FolderCase(ModelWeights.WEIGHTS_FILE, m);
      }

      @Override
      public String describe(FolderCase input) {
        return input.fileName() + ": " + input.damage();
      }

      @Override
      public void read(FolderCase input) throws Exception {
        Files.createDirectories(folder);
        Files.write(folder.resolve(ModelWeights.CONFIG_FILE), config);
        Files.write(folder.resolve(ModelWeights.WEIGHTS_FILE), weights);
        Files.write(folder.resolve(input.fileName()), input.damage().bytes());
        loadIntoTheModel(ModelWeights.load(folder));
      }

      @Override
      public String nameInMessages() {
        return folder.toString();
      }

      @Override
      public Class<? extends TesseraException> refusal() {
        return TesseraException.class;
      }
    };
  }

  /** The tiny model's weights: a [in, out] kernel, an [out] bias and an [out] buffer stored as F16. */
  private static byte[] validWeights() {
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    tensors.put("tiny.w", TensorData.ofFloats(new long[] {3, 2}, new float[] {1, -2, 3.5f, 0, 1e-3f, 7}));
    tensors.put("tiny.b", TensorData.ofFloats(new long[] {2}, new float[] {0.5f, -0.25f}));
    tensors.put("tiny.ema", TensorData.ofFloats(DType.F16, new long[] {2}, new float[] {2, 4}));
    return SafeTensors.toBytes(tensors, Map.of("step", "100"));
  }

  /** Builds the model the config describes and loads the weights into it strictly. */
  private static void loadIntoTheModel(ModelWeights w) {
    int in = w.config().getPositiveInt("in", 3);
    int out = w.config().getPositiveInt("out", 2);
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      GraphScope scope = GraphScope.root(graph).child("tiny");
      scope.parameter("w", new long[] {in, out}, Initializers.zeros());
      scope.parameter("b", new long[] {out}, Initializers.zeros());
      scope.buffer("ema", new long[] {out}, Initializers.zeros());
      VariableStore variables = scope.variables();
      variables.load(session, w.parameters(), VariableStore.MODEL_WEIGHTS, true);
      for (VariableStore.Entry e : variables.entries()) {
        assertArrayEquals(w.parameters().get(e.name()).toFloats(), variables.read(session, e.name()), e.name());
      }
    }
  }
}
