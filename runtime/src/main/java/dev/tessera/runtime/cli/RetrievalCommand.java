package dev.tessera.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.Embedding;
import dev.tessera.runtime.data.Twemoji;
import dev.tessera.runtime.data.TwemojiCaptions;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.runtime.pipeline.RetrievalMetrics;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tessera retrieval}: text -> image and image -> text recall@k on held-out captioned images. */
@Command(name = "retrieval",
    footer = {"", "Examples:",
        "  ./tessera retrieval",
        "  ./tessera retrieval --model clip --weights runs/my-twemoji-clip --k 1,5"}, mixinStandardHelpOptions = true,
    description = "Recall@k of text->image and image->text retrieval on the held-out Twemoji split (one caption per emoji: its name).")
final class RetrievalCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", defaultValue = "clip:twemoji", description = "CLIP model (a MODEL:VARIANT reference; the default is the one trained on the default data set). Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--dataset", defaultValue = "twemoji", description = "twemoji (its held-out tenth). Default: ${DEFAULT-VALUE}.")
  String dataset;

  @Option(names = "--k", split = ",", defaultValue = "1,5,10", description = "Cut-offs. Default: ${DEFAULT-VALUE}.")
  List<Integer> ks;

  @picocli.CommandLine.Mixin WeightsOptions weightsOptions;

  @Override
  public Integer call() throws Exception {
    if (!dataset.equals("twemoji")) {
      throw new TesseraException("--dataset: only twemoji is known, got '" + dataset + "'");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights w = weightsOptions.load(components, model);
      int size = w.config().getPositiveInt("image_size", 64);
      Twemoji.Loaded test = Twemoji.load(null, Twemoji.Split.TEST, size);
      List<String> captions = new ArrayList<>();
      for (Twemoji.Emoji e : test.emoji()) {
        captions.add(TwemojiCaptions.names(e).get(0));
      }
      try (EmbeddingPipeline encoder = new EmbeddingPipeline(components, w, 256, weightsOptions.device)) {
        Embedding images = encoder.embedImages(test.data().images());
        Embedding texts = encoder.embedTexts(captions);
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("dataset", test.data().name());
        o.put("pairs", captions.size());
        for (int k : ks) {
          o.put("text_to_image_recall@" + k, round(RetrievalMetrics.recallAtK(texts, images, k)));
          o.put("image_to_text_recall@" + k, round(RetrievalMetrics.recallAtK(images, texts, k)));
          o.put("chance@" + k, round(Math.min(1.0, (double) k / captions.size())));
        }
        out.println(new ObjectMapper().writeValueAsString(o));
        out.flush();
        return 0;
      }
    }
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
