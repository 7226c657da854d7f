package dev.tessera.plugins.clip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Converts a Hugging Face {@code CLIPModel} folder (config.json + model.safetensors, the layout of
 * e.g. openai/clip-vit-base-patch32 on a user's disk) into Tessera's CLIP: names mapped, linear
 * weights transposed to [in, out], the patch convolution to [k, k, in, out], every shape checked
 * against the config with errors naming the tensor and both shapes. Nothing is downloaded.
 */
final class HuggingFaceClipImporter {
  /** OpenAI's image statistics, which its released weights expect. */
  static final float[] OPENAI_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  static final float[] OPENAI_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private final Path dir;
  private final Parameters source;
  private final Parameters target = new Parameters("imported");
  private final Set<String> used = new HashSet<>();

  private HuggingFaceClipImporter(Path dir, Parameters source) {
    this.dir = dir;
    this.source = source;
  }

  static ModelWeights importFrom(Path dir) {
    Path configFile = dir.resolve("config.json");
    Path weightsFile = dir.resolve("model.safetensors");
    for (Path p : new Path[] {configFile, weightsFile}) {
      if (!Files.isRegularFile(p)) {
        throw new TesseraException(p + ": missing (a Hugging Face CLIP folder holds config.json and model.safetensors)");
      }
    }
    ModelConfig hf = ModelConfig.read(configFile);
    ModelConfig config = tesseraConfig(hf, configFile);
    HuggingFaceClipImporter importer = new HuggingFaceClipImporter(dir, Parameters.load(weightsFile));
    importer.convert(ClipConfig.from(config));
    return new ModelWeights(config, importer.target);
  }

  static ModelConfig tesseraConfig(ModelConfig hf, Path file) {
    JsonNode text = require(hf.node("text_config"), "text_config", file);
    JsonNode vision = require(hf.node("vision_config"), "vision_config", file);
    int textWidth = integer(text, "hidden_size", file);
    int visionWidth = integer(vision, "hidden_size", file);
    int textMlp = integer(text, "intermediate_size", file);
    int visionMlp = integer(vision, "intermediate_size", file);
    if (textMlp % textWidth != 0 || visionMlp % visionWidth != 0 || textMlp / textWidth != visionMlp / visionWidth) {
      throw new TesseraException(file + ": MLP widths " + textMlp + "/" + textWidth + " and " + visionMlp + "/" + visionWidth
          + " are not one shared integer ratio, which this architecture needs");
    }
    int vocab = text.path("vocab_size").asInt(ClipConfig.FULL_VOCABULARY);
    if (vocab != ClipConfig.FULL_VOCABULARY) {
      throw new TesseraException(file + ": vocab_size " + vocab + ", but the CLIP tokenizer has " + ClipConfig.FULL_VOCABULARY + " ids");
    }
    String act = text.path("hidden_act").asText("quick_gelu");
    if (!act.equals(vision.path("hidden_act").asText("quick_gelu"))) {
      throw new TesseraException(file + ": the two towers use different activations");
    }
    int channels = vision.path("num_channels").asInt(3);
    return ClipConfig.defaults()
        .with("image_size", integer(vision, "image_size", file))
        .with("channels", channels)
        .with("patch_size", integer(vision, "patch_size", file))
        .with("vision_width", visionWidth)
        .with("vision_layers", integer(vision, "num_hidden_layers", file))
        .with("vision_heads", integer(vision, "num_attention_heads", file))
        .with("text_length", text.path("max_position_embeddings").asInt(77))
        .with("text_width", textWidth)
        .with("text_layers", integer(text, "num_hidden_layers", file))
        .with("text_heads", integer(text, "num_attention_heads", file))
        .with("mlp_ratio", textMlp / textWidth)
        .with("embed_dim", hf.getPositiveInt("projection_dim", 512))
        .with("activation", act)
        .with("image_mean", channels == 3 ? OPENAI_MEAN : new float[] {0.5f})
        .with("image_std", channels == 3 ? OPENAI_STD : new float[] {0.5f})
        .with("imported_from", "huggingface CLIPModel");
  }

  private void convert(ClipConfig c) {
    int tw = c.textWidth();
    int vw = c.visionWidth();
    copy("text_model.embeddings.token_embedding.weight", "clip.text.token_embedding.weight", ClipConfig.FULL_VOCABULARY, tw);
    copy("text_model.embeddings.position_embedding.weight", "clip.text.position_embedding", c.textLength(), tw);
    for (int i = 0; i < c.textLayers(); i++) {
      block("text_model.encoder.layers." + i, "clip.text.layer" + i, tw, c.mlpRatio());
    }
    layerNorm("text_model.final_layer_norm", "clip.text.ln_final", tw);
    linear("text_projection.weight", null, "clip.text.projection", tw, c.embedDim());

    TensorData patch = expect("vision_model.embeddings.patch_embedding.weight", vw, c.channels(), c.patchSize(), c.patchSize());
    target.put("clip.vision.patch_embedding.kernel", permute(patch, new int[] {2, 3, 1, 0}));
    TensorData cls = expect("vision_model.embeddings.class_embedding", vw);
    target.put("clip.vision.class_embedding", TensorData.ofFloats(new long[] {1, 1, vw}, cls.toFloats()));
    copy("vision_model.embeddings.position_embedding.weight", "clip.vision.position_embedding", c.patches() + 1, vw);
    layerNorm("vision_model.pre_layrnorm", "clip.vision.ln_pre", vw);
    for (int i = 0; i < c.visionLayers(); i++) {
      block("vision_model.encoder.layers." + i, "clip.vision.layer" + i, vw, c.mlpRatio());
    }
    layerNorm("vision_model.post_layernorm", "clip.vision.ln_post", vw);
    linear("visual_projection.weight", null, "clip.vision.projection", vw, c.embedDim());
    if (source.find("logit_scale") != null) {
      target.put("clip.logit_scale", TensorData.ofFloats(new long[0], new float[] {expect("logit_scale").toFloats()[0]}));
    }
    for (String name : source.names()) {
      if (!used.contains(name) && !name.endsWith("position_ids")) {
        throw new TesseraException(dir.resolve("model.safetensors") + ": unexpected tensor '" + name + "' (not a CLIPModel of this config?)");
      }
    }
  }

  private void block(String from, String to, int width, int mlpRatio) {
    layerNorm(from + ".layer_norm1", to + ".ln1", width);
    linear(from + ".self_attn.q_proj.weight", from + ".self_attn.q_proj.bias", to + ".attn.query", width, width);
    linear(from + ".self_attn.k_proj.weight", from + ".self_attn.k_proj.bias", to + ".attn.key", width, width);
    linear(from + ".self_attn.v_proj.weight", from + ".self_attn.v_proj.bias", to + ".attn.value", width, width);
    linear(from + ".self_attn.out_proj.weight", from + ".self_attn.out_proj.bias", to + ".attn.out", width, width);
    layerNorm(from + ".layer_norm2", to + ".ln2", width);
    linear(from + ".mlp.fc1.weight", from + ".mlp.fc1.bias", to + ".fc1", width, width * mlpRatio);
    linear(from + ".mlp.fc2.weight", from + ".mlp.fc2.bias", to + ".fc2", width * mlpRatio, width);
  }

  /** torch Linear weight [out, in] -> our kernel [in, out]. */
  private void linear(String weight, String bias, String to, int in, int out) {
    target.put(to + ".kernel", permute(expect(weight, out, in), new int[] {1, 0}));
    if (bias != null) {
      target.put(to + ".bias", float32(expect(bias, out)));
    }
  }

  private void layerNorm(String from, String to, int width) {
    target.put(to + ".gamma", float32(expect(from + ".weight", width)));
    target.put(to + ".beta", float32(expect(from + ".bias", width)));
  }

  private void copy(String from, String to, long... shape) {
    target.put(to, float32(expect(from, shape)));
  }

  private TensorData expect(String name, long... shape) {
    TensorData t = source.find(name);
    if (t == null) {
      throw new TesseraException(dir.resolve("model.safetensors") + ": missing tensor '" + name + "' of shape " + Arrays.toString(shape));
    }
    if (!Arrays.equals(t.shape(), shape)) {
      throw new TesseraException(dir.resolve("model.safetensors") + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
          + " but config.json implies " + Arrays.toString(shape));
    }
    used.add(name);
    return t;
  }

  private static TensorData float32(TensorData t) {
    return TensorData.ofFloats(t.shape(), t.toFloats());
  }

  /** Reorders axes: out axis i is in axis {@code order[i]}. */
  static TensorData permute(TensorData t, int[] order) {
    long[] in = t.shape();
    long[] outShape = new long[in.length];
    for (int i = 0; i < order.length; i++) {
      outShape[i] = in[order[i]];
    }
    float[] src = t.toFloats();
    float[] dst = new float[src.length];
    long[] inStride = strides(in);
    long[] outStride = strides(outShape);
    int[] index = new int[in.length];
    for (int flat = 0; flat < src.length; flat++) {
      // unravel flat in the output, gather from the input
      long rest = flat;
      long srcOffset = 0;
      for (int d = 0; d < outShape.length; d++) {
        long coord = rest / outStride[d];
        rest %= outStride[d];
        srcOffset += coord * inStride[order[d]];
      }
      dst[flat] = src[(int) srcOffset];
    }
    return TensorData.ofFloats(outShape, dst);
  }

  private static long[] strides(long[] shape) {
    long[] s = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  private static JsonNode require(JsonNode node, String key, Path file) {
    if (node == null || !node.isObject()) {
      throw new TesseraException(file + ": missing '" + key + "' (not a CLIPModel config)");
    }
    return node;
  }

  private static int integer(JsonNode node, String key, Path file) {
    JsonNode v = node.get(key);
    if (v == null || !v.isInt() || v.intValue() <= 0) {
      throw new TesseraException(file + ": '" + key + "' must be a positive integer, got " + v);
    }
    return v.intValue();
  }
}
