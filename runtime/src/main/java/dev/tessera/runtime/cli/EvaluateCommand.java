package dev.tessera.runtime.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.runtime.data.FashionMnistCaptions;
import dev.tessera.runtime.data.PngImages;
import dev.tessera.runtime.evaluation.Diversity;
import dev.tessera.runtime.evaluation.FeatureStatistics;
import dev.tessera.runtime.evaluation.FrechetDistance;
import dev.tessera.runtime.evaluation.ImageEvaluator;
import dev.tessera.runtime.evaluation.PromptLabels;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tessera evaluate}: scores a folder of generated 28x28 images with the evaluator trained
 * on real Fashion-MNIST: conditional accuracy for the prompted class, FID against the test set
 * with the real-data floor and the noise ceiling at the same n (FID depends on n), diversity and
 * near-duplicates, and a mode-collapse warning.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Score generated images: conditional accuracy, FID (with floor and ceiling at the same n), diversity, mode collapse.")
final class EvaluateCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin WeightsOptions weightsOptions;

  @Option(names = "--input", required = true, description = "Folder of PNG images (one prompt's images).")
  Path input;

  @Option(names = "--prompt", description = "The prompt the images were made for; its class name gives the target class.")
  String prompt;

  @Option(names = "--model", defaultValue = "fashion-classifier", description = "Evaluator model. Default: ${DEFAULT-VALUE}.")
  String model;

  @Option(names = "--clip-model", defaultValue = "clip",
      description = "Model whose shipped weights give the CLIP score (mean cosine of images and prompt); 'none' to skip. Default: ${DEFAULT-VALUE}.")
  String clipModel;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the floor and ceiling samples. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights w = weightsOptions.load(components, model);
      ImageBatch images = PngImages.readFolder(input, 28, 28, 1, PngImages.ResizeMode.BILINEAR).images();
      int n = images.count();
      if (n < 2) {
        throw new TesseraException(input + ": need at least 2 images to evaluate, found " + n);
      }
      int target = -1;
      if (prompt != null) {
        target = PromptLabels.classOf(prompt);
        if (target < 0) {
          throw new TesseraException("no Fashion-MNIST class name in the prompt '" + prompt + "' (known: "
              + String.join(", ", FashionMnistCaptions.CLASS_PROMPT_NAMES) + ")");
        }
      }
      try (ImageEvaluator evaluator = new ImageEvaluator(components, w)) {
        ImageEvaluator.Outputs generated = evaluator.run(images);
        // With a prompted class, compare with that class's real images: a prompt asks for one class,
        // and the whole test set's statistics (all ten) would judge the right images as wrong.
        Dataset test = FashionMnist.load(null, FashionMnist.Split.TEST);
        FeatureStatistics reference = FeatureStatistics.of(evaluator.run(test.images().select(rowsOf(test, target))).features());
        Dataset train = FashionMnist.load(null, FashionMnist.Split.TRAIN);
        int[] trainRows = rowsOf(train, target);
        int[] rows = new SplittableRandom(seed).ints(n, 0, trainRows.length).map(i -> trainRows[i]).toArray();
        ImageEvaluator.Outputs real = evaluator.run(train.images().select(rows));
        ImageEvaluator.Outputs noise = evaluator.run(uniformNoise(n, seed));

        Diversity realDiversity = Diversity.of(real.features(), 0);
        double threshold = 0.1 * realDiversity.meanPairwiseDistance();
        Diversity diversity = Diversity.of(generated.features(), threshold);
        boolean collapse = diversity.nearDuplicates() > n / 2
            || diversity.meanPairwiseDistance() < 0.5 * realDiversity.meanPairwiseDistance();

        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("images", n);
        if (target >= 0) {
          int hits = 0;
          for (int i = 0; i < n; i++) {
            if (generated.predictedClass(i) == target) {
              hits++;
            }
          }
          o.put("prompt", prompt);
          o.put("target_class", FashionMnistCaptions.CLASS_PROMPT_NAMES.get(target));
          o.put("conditional_accuracy", round((double) hits / n));
        }
        o.put("reference", target >= 0 ? "fashion-mnist test images of class " + FashionMnistCaptions.CLASS_PROMPT_NAMES.get(target)
            : "all fashion-mnist test images");
        o.put("fid", round(FrechetDistance.between(FeatureStatistics.of(generated.features()), reference)));
        o.put("fid_floor_real_at_n", round(FrechetDistance.between(FeatureStatistics.of(real.features()), reference)));
        o.put("fid_ceiling_noise_at_n", round(FrechetDistance.between(FeatureStatistics.of(noise.features()), reference)));
        if (prompt != null && !clipModel.equals("none")) {
          o.put("clip_score", round(clipScore(components, images)));
        }
        o.put("diversity", round(diversity.meanPairwiseDistance()));
        o.put("diversity_real_at_n", round(realDiversity.meanPairwiseDistance()));
        o.put("near_duplicates", diversity.nearDuplicates());
        o.put("mode_collapse_warning", collapse);
        out.println(new ObjectMapper().writeValueAsString(o));
        out.flush();
        return 0;
      }
    }
  }

  /** Mean cosine similarity between the images' and the prompt's CLIP embeddings. */
  private double clipScore(Components components, ImageBatch images) {
    dev.tessera.api.io.ModelWeights clip = components.model(clipModel).shippedWeights();
    if (clip == null) {
      throw new TesseraException("model '" + clipModel + "' ships no weights for the CLIP score (use --clip-model none)");
    }
    try (dev.tessera.runtime.pipeline.EmbeddingPipeline encoder =
        new dev.tessera.runtime.pipeline.EmbeddingPipeline(components, clip, 256, weightsOptions.device)) {
      dev.tessera.api.types.Embedding text = encoder.embedTexts(java.util.List.of(prompt));
      dev.tessera.api.types.Embedding img = encoder.embedImages(images);
      double sum = 0;
      for (int i = 0; i < img.count(); i++) {
        sum += img.dot(i, text, 0);
      }
      return sum / img.count();
    }
  }

  /** Rows of the class, or all rows when {@code label} is -1. */
  private static int[] rowsOf(Dataset data, int label) {
    return java.util.stream.IntStream.range(0, data.size()).filter(i -> label < 0 || data.labels()[i] == label).toArray();
  }

  private static ImageBatch uniformNoise(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
    float[] px = new float[n * 28 * 28];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return new ImageBatch(n, 28, 28, 1, px);
  }

  private static double round(double v) {
    return Math.round(v * 10000) / 10000.0;
  }
}
