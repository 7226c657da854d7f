package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.runtime.data.PngImages;
import dev.tessera.runtime.pipeline.AutoencoderPipeline;
import dev.tessera.runtime.pipeline.ImageMetrics;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code tessera reconstruct}: encode and decode images with an autoencoder model. */
@Command(name = "reconstruct", mixinStandardHelpOptions = true,
    description = "Encode and decode every PNG of a folder (or Fashion-MNIST test images) and write same-named PNGs.")
final class ReconstructCommand implements Callable<Integer> {
  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model name, e.g. vqvae.")
  String model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--input", description = "Folder of PNG images.")
    Path input;

    @Option(names = "--dataset", description = "fashion-mnist: the test split (see --limit).")
    String dataset;
  }

  @Option(names = "--limit", defaultValue = "1000", description = "With --dataset: how many test images. Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = "--output-dir", required = true, description = "Where the reconstructions go.")
  Path outputDir;

  @picocli.CommandLine.Mixin WeightsOptions weightsOptions;

  @Option(names = "--resize", description = "Resize images of another size instead of failing.")
  boolean resize;

  @Option(names = "--batch-size", defaultValue = "64", description = "Images per session run. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() {
    try (PluginRuntime plugins = root.loadPlugins()) {
      Components components = root.components(plugins);
      ModelWeights w = weightsOptions.load(components, model);
      int size = w.config().getPositiveInt("image_size", 28);
      int channels = w.config().getPositiveInt("channels", 1);
      ImageBatch images;
      List<String> names;
      if (source.input != null) {
        PngImages.PngFolder folder = PngImages.readFolder(source.input, size, size, channels,
            resize ? PngImages.ResizeMode.BILINEAR : PngImages.ResizeMode.ERROR);
        images = folder.images();
        names = folder.fileNames();
      } else {
        if (!source.dataset.equals("fashion-mnist")) {
          throw new TesseraException("--dataset: only fashion-mnist is known, got '" + source.dataset + "'");
        }
        Dataset test = FashionMnist.load(null, FashionMnist.Split.TEST).first(limit);
        images = test.images();
        names = new ArrayList<>();
        for (int i = 0; i < images.count(); i++) {
          names.add(String.format(Locale.ROOT, "%04d.png", i));
        }
      }
      java.io.PrintWriter out = spec.commandLine().getOut();
      long start = System.nanoTime();
      AutoencoderPipeline.Reconstruction r;
      try (AutoencoderPipeline p = AutoencoderPipeline.builder(components).weights(w).batchSize(batchSize).device(weightsOptions.device).build()) {
        r = p.reconstruct(images);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      PngImages.writeAll(outputDir, r.images(), names);
      int show = Math.min(images.count(), 16);
      List<ImageBatch> pairs = new ArrayList<>();
      for (int i = 0; i < show; i++) {
        pairs.add(images.slice(i, i + 1));
        pairs.add(r.images().slice(i, i + 1));
      }
      if (show > 0) {
        PngImages.writeGrid(outputDir.resolve("comparison.png"), ImageBatch.stack(pairs), 8);
      }
      out.printf(Locale.ROOT, "reconstructed %d images in %.2f s -> %s%n", images.count(), seconds, outputDir.toAbsolutePath());
      out.printf(Locale.ROOT, "mean PSNR %.2f dB%n", ImageMetrics.meanPsnr(images, r.images()));
      if (r.codes() != null) {
        int k = w.config().getInt("codebook_size", 0);
        if (k > 0) {
          out.printf(Locale.ROOT, "codes: %d of %d used, perplexity %.1f%n",
              ImageMetrics.distinct(r.codes()), k, ImageMetrics.perplexity(r.codes(), k));
        }
      }
      reconstructionFid(components, images, r.images(), out);
      out.println("side by side (original, reconstruction): " + outputDir.resolve("comparison.png").toAbsolutePath());
      out.flush();
      return 0;
    }
  }

  /**
   * FID of the reconstructions against the originals in the features of the held-out Fashion-MNIST
   * classifier (the project's own feature network), when it ships weights for this image size.
   */
  private static void reconstructionFid(Components components, ImageBatch originals, ImageBatch reconstructions, java.io.PrintWriter out) {
    ModelWeights evaluator;
    try {
      evaluator = components.shippedWeights("fashion-classifier");
    } catch (TesseraException e) {
      return; // no evaluator plugin: no FID
    }
    if (evaluator == null || evaluator.config().getInt("image_size", 28) != originals.height() || evaluator.config().getInt("channels", 1) != originals.channels()) {
      return;
    }
    if (originals.count() < 2) {
      return;
    }
    try (dev.tessera.runtime.evaluation.ImageEvaluator e = new dev.tessera.runtime.evaluation.ImageEvaluator(components, evaluator)) {
      double fid = dev.tessera.runtime.evaluation.FrechetDistance.between(
          dev.tessera.runtime.evaluation.FeatureStatistics.of(e.run(originals).features()),
          dev.tessera.runtime.evaluation.FeatureStatistics.of(e.run(reconstructions).features()));
      out.printf(Locale.ROOT, "reconstruction FID %.2f against the %d originals (fashion-classifier features; 0 = indistinguishable)%n", fid, originals.count());
    }
  }
}
