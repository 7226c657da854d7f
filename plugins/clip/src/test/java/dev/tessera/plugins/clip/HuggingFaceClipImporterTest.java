package dev.tessera.plugins.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.graph.Tensors;
import dev.tessera.api.graph.VariableStore;
import dev.tessera.api.io.DType;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/** Imports a tiny CLIPModel written by the test in the Hugging Face layout; nothing is downloaded. */
class HuggingFaceClipImporterTest {
  @TempDir Path tmp;
  private final SplittableRandom random = new SplittableRandom(7);
  private Parameters hf;

  static final String CONFIG = """
      {"architectures": ["CLIPModel"], "projection_dim": 4, "logit_scale_init_value": 2.6592,
       "text_config": {"hidden_size": 8, "intermediate_size": 16, "num_attention_heads": 2, "num_hidden_layers": 1,
                       "max_position_embeddings": 6, "vocab_size": 49408, "hidden_act": "quick_gelu"},
       "vision_config": {"hidden_size": 8, "intermediate_size": 16, "num_attention_heads": 2, "num_hidden_layers": 1,
                         "image_size": 8, "patch_size": 4, "num_channels": 3, "hidden_act": "quick_gelu"}}
      """;

  private void put(String name, long... shape) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (random.nextDouble() - 0.5) * 0.2f;
    }
    hf.put(name, TensorData.ofFloats(shape, v));
  }

  private void block(String p) {
    put(p + ".layer_norm1.weight", 8);
    put(p + ".layer_norm1.bias", 8);
    for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      put(p + ".self_attn." + proj + ".weight", 8, 8);
      put(p + ".self_attn." + proj + ".bias", 8);
    }
    put(p + ".layer_norm2.weight", 8);
    put(p + ".layer_norm2.bias", 8);
    put(p + ".mlp.fc1.weight", 16, 8);
    put(p + ".mlp.fc1.bias", 16);
    put(p + ".mlp.fc2.weight", 8, 16);
    put(p + ".mlp.fc2.bias", 8);
  }

  private Path writeModel() throws Exception {
    hf = new Parameters("hf");
    put("text_model.embeddings.token_embedding.weight", 49408, 8);
    put("text_model.embeddings.position_embedding.weight", 6, 8);
    block("text_model.encoder.layers.0");
    put("text_model.final_layer_norm.weight", 8);
    put("text_model.final_layer_norm.bias", 8);
    put("text_projection.weight", 4, 8);
    put("vision_model.embeddings.class_embedding", 8);
    put("vision_model.embeddings.patch_embedding.weight", 8, 3, 4, 4);
    put("vision_model.embeddings.position_embedding.weight", 5, 8);
    put("vision_model.pre_layrnorm.weight", 8);
    put("vision_model.pre_layrnorm.bias", 8);
    block("vision_model.encoder.layers.0");
    put("vision_model.post_layernorm.weight", 8);
    put("vision_model.post_layernorm.bias", 8);
    put("visual_projection.weight", 4, 8);
    hf.put("logit_scale", TensorData.ofFloats(new long[0], new float[] {2.6592f}));
    hf.put("text_model.embeddings.position_ids", TensorData.ofLongs(new long[] {1, 6}, new long[] {0, 1, 2, 3, 4, 5}));
    Path dir = tmp.resolve("hf");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.json"), CONFIG);
    hf.save(dir.resolve("model.safetensors"));
    return dir;
  }

  @Test
  void importsNamesTransposesAndRunsInOurArchitecture() throws Exception {
    ModelWeights w = new ClipModel().importWeights(writeModel(), "huggingface");
    ClipConfig c = ClipConfig.from(w.config());
    assertEquals("quick_gelu", c.activation());
    assertEquals(6, c.textLength());
    assertEquals(null, c.vocabulary());
    // torch Linear [out, in] -> kernel [in, out]
    float[] q = hf.get("text_model.encoder.layers.0.self_attn.q_proj.weight").toFloats();
    float[] kernel = w.parameters().get("clip.text.layer0.attn.query.kernel").toFloats();
    assertEquals(q[2 * 8 + 5], kernel[5 * 8 + 2]);
    // conv [out, in, kh, kw] -> [kh, kw, in, out]
    float[] conv = hf.get("vision_model.embeddings.patch_embedding.weight").toFloats();
    float[] ours = w.parameters().get("clip.vision.patch_embedding.kernel").toFloats();
    int o = 6, i = 1, y = 2, x = 3;
    assertEquals(conv[((o * 3 + i) * 4 + y) * 4 + x], ours[((y * 4 + x) * 3 + i) * 8 + o]);
    assertArrayEquals(new long[] {1, 1, 8}, w.parameters().get("clip.vision.class_embedding").shape());

    // The imported weights fill every variable of our towers and give unit-length embeddings.
    try (Graph g = new Graph()) {
      GraphScope root = GraphScope.root(g);
      Operand<TFloat32> img = new ClipEncoder().encodeImages(root.child("clip"), w.config(),
          root.tf().reshape(root.tf().constant(new float[2 * 8 * 8 * 3]), root.tf().constant(new long[] {2, 8, 8, 3})));
      Operand<TFloat32> txt = new ClipEncoder().encodeText(root.child("clip"), w.config(),
          root.tf().constant(new int[][] {{49406, 320, 2368, 49407, 0, 0}}));
      try (Session s = new Session(g)) {
        root.variables().load(s, w.parameters(), VariableStore.MODEL_WEIGHTS, false);
        try (Result r = s.runner().fetch(img).fetch(txt).run()) {
          float[] e = Tensors.toFloats(r.get(1));
          double n = 0;
          for (float v : e) {
            n += v * v;
          }
          assertEquals(1.0, n, 1e-4);
          assertEquals(8, Tensors.toFloats(r.get(0)).length);
        }
      }
    }
  }

  @Test
  void wrongShapesAndMissingTensorsNameTheTensor() throws Exception {
    Path dir = writeModel();
    hf.put("visual_projection.weight", TensorData.ofFloats(new long[] {4, 7}, new float[28]));
    hf.save(dir.resolve("model.safetensors"));
    TesseraException e = assertThrows(TesseraException.class, () -> new ClipModel().importWeights(dir, "huggingface"));
    assertTrue(e.getMessage().contains("visual_projection.weight") && e.getMessage().contains("[4, 7]") && e.getMessage().contains("[4, 8]"),
        e.getMessage());

    Parameters without = new Parameters("x");
    for (String n : hf.names()) {
      if (!n.equals("text_projection.weight")) {
        without.put(n, hf.get(n));
      }
    }
    without.put("visual_projection.weight", TensorData.ofFloats(new long[] {4, 8}, new float[32]));
    without.save(dir.resolve("model.safetensors"));
    e = assertThrows(TesseraException.class, () -> new ClipModel().importWeights(dir, "huggingface"));
    assertTrue(e.getMessage().contains("missing tensor 'text_projection.weight'"), e.getMessage());
  }

  @Test
  void badConfigsAndFormatsAreClearErrors() throws Exception {
    Path dir = writeModel();
    Files.writeString(dir.resolve("config.json"), "{\"projection_dim\": 4}");
    TesseraException e = assertThrows(TesseraException.class, () -> new ClipModel().importWeights(dir, "huggingface"));
    assertTrue(e.getMessage().contains("text_config"), e.getMessage());
    e = assertThrows(TesseraException.class, () -> new ClipModel().importWeights(dir, "openai-pickle"));
    assertTrue(e.getMessage().contains("huggingface"), e.getMessage());
    e = assertThrows(TesseraException.class, () -> new ClipModel().importWeights(tmp.resolve("nothing"), "huggingface"));
    assertTrue(e.getMessage().contains("config.json"), e.getMessage());
  }

  @Test
  void permuteMovesAxes() {
    TensorData t = TensorData.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    TensorData p = HuggingFaceClipImporter.permute(t, new int[] {1, 0});
    assertArrayEquals(new long[] {3, 2}, p.shape());
    assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, p.toFloats());
    assertEquals(DType.F32, p.dtype());
  }
}
