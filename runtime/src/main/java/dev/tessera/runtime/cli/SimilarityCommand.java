package dev.tessera.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.io.PngImages;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera similarity}: the CLIP score (cosine similarity) of each image with a prompt. */
@Command(name = "similarity",
    footer = {"", "Examples:",
        "  ./tessera similarity --prompt \"a running shoe\" --input samples/images/fashion-mnist"}, mixinStandardHelpOptions = true,
    description = "Print the cosine similarity between a prompt and each PNG of a folder, one JSON object per image.")
final class SimilarityCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", defaultValue = "clip", description = "Model name. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--prompt", required = true, description = "The text to compare with.")
  String prompt;

  @Option(names = "--input", required = true, description = "Folder of PNG images.")
  Path input;

  @picocli.CommandLine.Mixin WeightsOptions weightsOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ObjectMapper json = new ObjectMapper();
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights w = weightsOptions.load(components, model);
      try (EmbeddingPipeline encoder = new EmbeddingPipeline(components, w, 256, weightsOptions.device)) {
        int size = w.config().getPositiveInt("image_size", 28);
        int channels = w.config().getPositiveInt("channels", 1);
        PngImages.PngFolder folder = PngImages.readFolder(input, size, size, channels, PngImages.ResizeMode.BILINEAR);
        Embedding text = encoder.embedTexts(List.of(prompt));
        Embedding images = encoder.embedImages(folder.images());
        for (int i = 0; i < images.count(); i++) {
          float s = images.dot(i, text, 0);
          ObjectNode o = json.createObjectNode();
          o.put("file", folder.fileNames().get(i));
          o.put("prompt", prompt);
          o.put("score", Math.round(s * 1e4) / 1e4);
          out.println(json.writeValueAsString(o));
        }
        out.flush();
        return 0;
      }
    }
  }
}
