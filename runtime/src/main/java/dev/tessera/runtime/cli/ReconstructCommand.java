package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.spi.TrainableModel;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.runtime.data.PngImages;
import dev.tessera.runtime.data.Twemoji;
import dev.tessera.runtime.evaluation.FeatureNetworks;
import dev.tessera.runtime.evaluation.FeatureStatistics;
import dev.tessera.runtime.evaluation.FrechetDistance;
import dev.tessera.runtime.evaluation.ImageEvaluator;
import dev.tessera.runtime.pipeline.AutoencoderPipeline;
import dev.tessera.runtime.pipeline.ImageMetrics;
import dev.tessera.runtime.pipeline.ReferencedWeights;
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
    description = "Encode and decode every PNG of a folder (or a data set's test images) and write same-named PNGs; print PSNR and a reconstruction FID.")
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

    @Option(names = "--dataset", description = "fashion-mnist or twemoji: the test split at the model's image size (see --limit).")
    String dataset;
  }

  @Option(names = "--limit", defaultValue = "1000", description = "With --dataset: at most this many test images (Twemoji's test split has fewer). Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = "--evaluator-weights", paramLabel = "DIR",
      description = "Feature network of the reconstruction FID: an evaluator's weights folder (e.g. a twemoji-classifier run). "
          + "Default: the shipped evaluator whose image size and channels match the images (fashion-classifier, twemoji-classifier).")
  Path evaluatorWeights;

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
        if (limit <= 0) {
          throw new TesseraException("--limit must be positive, got " + limit);
        }
        names = new ArrayList<>();
        images = testSplit(source.dataset, size, channels, limit, names);
      }
      // Before the reconstruction runs: a wrong --evaluator-weights fails at once.
      FeatureNetworks.Choice features = null;
      String noFid = null;
      if (evaluatorWeights != null) {
        features = FeatureNetworks.fromWeights(ReferencedWeights.complete(ModelWeights.load(evaluatorWeights), components),
            evaluatorWeights.toString(), images.height(), images.channels());
      } else if (images.height() == images.width()) {
        FeatureNetworks.Selection s = FeatureNetworks.forImages(components, images.height(), images.channels());
        features = s.choice();
        noFid = s.whyNone();
      } else {
        noFid = "the feature networks take square images, these are " + images.height() + "x" + images.width();
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
      if (features != null && images.count() < 2) {
        noFid = "FID needs at least 2 images, got " + images.count();
      }
      if (noFid == null) {
        out.printf(Locale.ROOT, "reconstruction FID %.2f against the %d originals (%s; 0 = indistinguishable)%n",
            reconstructionFid(components, features.weights(), images, r.images()), images.count(), features.describe());
      } else {
        out.println("no reconstruction FID: " + noFid + "; PSNR only (--evaluator-weights DIR names a feature network)");
      }
      out.println("side by side (original, reconstruction): " + outputDir.resolve("comparison.png").toAbsolutePath());
      out.flush();
      return 0;
    }
  }

  /**
   * The first {@code limit} images of a data set's test split at the model's size, and their
   * output file names: Fashion-MNIST's numbered, Twemoji's the emoji's own image names.
   */
  private static ImageBatch testSplit(String dataset, int size, int channels, int limit, List<String> names) {
    switch (dataset) {
      case "fashion-mnist" -> {
        Dataset test = FashionMnist.load(null, FashionMnist.Split.TEST).first(limit);
        for (int i = 0; i < test.size(); i++) {
          names.add(String.format(Locale.ROOT, "%04d.png", i));
        }
        return test.images();
      }
      case "twemoji" -> {
        if (channels != 3) {
          throw new TesseraException("--dataset twemoji: twemoji images are RGB, and the model takes " + channels + " channel(s)");
        }
        Twemoji.Loaded test = Twemoji.load(null, Twemoji.Split.TEST, size);
        Dataset first = test.data().first(limit);
        test.emoji().subList(0, first.size()).forEach(e -> names.add(e.image()));
        return first.images();
      }
      default -> throw new TesseraException("--dataset: fashion-mnist or twemoji, got '" + dataset + "' (--input reads a folder of PNGs)");
    }
  }

  /**
   * FID of the reconstructions against the originals in the features of an evaluator trained on
   * real data (the project's own feature network, see {@link FeatureNetworks}).
   */
  private static double reconstructionFid(Components components, ModelWeights evaluator, ImageBatch originals, ImageBatch reconstructions) {
    try (ImageEvaluator e = new ImageEvaluator(components, evaluator)) {
      return FrechetDistance.between(FeatureStatistics.of(e.run(originals).features()), FeatureStatistics.of(e.run(reconstructions).features()));
    }
  }
}
