package dev.tessera.runtime.cli;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.AtomicFiles;
import dev.tessera.api.io.OutputFolder;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.api.io.PngImages;
import dev.tessera.runtime.data.Twemoji;
import dev.tessera.runtime.evaluation.FeatureNetworks;
import dev.tessera.runtime.evaluation.FeatureStatistics;
import dev.tessera.runtime.evaluation.FidBootstrap;
import dev.tessera.runtime.evaluation.FrechetDistance;
import dev.tessera.runtime.evaluation.ImageEvaluator;
import dev.tessera.runtime.pipeline.AutoencoderPipeline;
import dev.tessera.runtime.pipeline.ImageMetrics;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.api.pipeline.ReferencedWeights;
import dev.tessera.runtime.plugin.Components;
import dev.tessera.runtime.plugin.PluginRuntime;
import java.io.IOException;
import java.nio.file.Files;
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
@Command(name = "reconstruct",
    footer = {"", "Examples:",
        "  ./tessera reconstruct --model vqvae --input samples/images/fashion-mnist --output-dir out/reconstruct",
        "  ./tessera reconstruct --model vqgan --dataset fashion-mnist --limit 1000 --output-dir out/vqgan"}, mixinStandardHelpOptions = true,
    description = "Encode and decode every PNG of a folder (or a data set's test images) and write same-named PNGs to OUT/images; print PSNR and a reconstruction FID.")
final class ReconstructCommand implements Callable<Integer> {
  /** Fixed so that every run's resamples are the same for the same image count and --bootstrap. */
  static final long BOOTSTRAP_SEED = 20261127L;

  static final String BOOTSTRAP_HEADER = "resample,images,fid";

  @ParentCommand TesseraCli root;
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model name, e.g. vqvae.")
  String model;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Source source;

  static final class Source {
    @Option(names = "--input", description = "Folder of PNG images.")
    Path input;

    @Option(names = "--dataset", description = "fashion-mnist or twemoji: its test split (see --split) at the model's image size (see --limit).")
    String dataset;
  }

  @Option(names = "--limit", defaultValue = "0", description = "With --dataset: at most this many images (0: all). Default: ${DEFAULT-VALUE}.")
  int limit;

  @Option(names = "--split", defaultValue = "test", description = "With --dataset: test, or train (images the model was trained on: "
      + "no measure of generalisation, but more of them). Default: ${DEFAULT-VALUE}.")
  String split;

  @Option(names = "--evaluator-weights", paramLabel = "DIR",
      description = "Feature network of the reconstruction FID: an evaluator's weights folder (e.g. a twemoji-classifier run). "
          + "Default: the shipped evaluator whose image size and channels match the images (fashion-classifier, twemoji-classifier).")
  Path evaluatorWeights;

  @Option(names = "--output-dir", required = true, description = "Where the reconstructions (OUT/images/), comparison.png and "
      + "fid-bootstrap.csv go (new or empty, never --input; see --overwrite).")
  Path outputDir;

  @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

  /** What reconstruct writes: the reconstructions under images/ (so no input name can meet a report file), the report files. */
  static final List<String> FILES = List.of("images/*.png", "images/.*.png.*.tmp", "comparison.png", ".comparison.png.*.tmp",
      "fid-bootstrap.csv", "fid-bootstrap.csv.tmp-*");

  @picocli.CommandLine.Mixin WeightsOptions weightsOptions;

  @Option(names = "--resize", description = "Resize images of another size instead of failing.")
  boolean resize;

  @Option(names = "--bootstrap", defaultValue = "0", paramLabel = "N",
      description = "Also recompute the FID on N bootstrap resamples of the image pairs and print its 95%% interval; the values go to "
          + "fid-bootstrap.csv. The resamples depend only on the image count and N, so two models' files pair up row by row. Default: off.")
  int bootstrap;

  @Option(names = "--paired-with", paramLabel = "CSV",
      description = "With --bootstrap: another model's fid-bootstrap.csv from the same images and --bootstrap; print on how many "
          + "resamples this model's FID is lower and the 95%% interval of the difference.")
  Path pairedWith;

  @Option(names = "--batch-size", defaultValue = "64", description = "Images per session run. Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Override
  public Integer call() {
    dev.tessera.api.pipeline.PipelineOptions.BATCH_SIZE.checkInt(batchSize);
    if (bootstrap < 0 || bootstrap == 1) {
      throw new TesseraException("--bootstrap must be 0 (off) or at least 2 resamples, got " + bootstrap);
    }
    OutputFolder output = overwrite.folder(outputDir, "--output-dir", FILES).notOverlapping(source.input, "--input").check();
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
        Flags.LIMIT.checkInt(limit);
        names = new ArrayList<>();
        boolean train = switch (split) {
          case "test" -> false;
          case "train" -> true;
          default -> throw new TesseraException("--split: test or train, got '" + split + "'");
        };
        images = datasetImages(source.dataset, train, size, channels, limit, names);
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
      double[] baseline = pairedWith == null ? null : readBootstrap(pairedWith, images.count(), bootstrap);
      java.io.PrintWriter out = spec.commandLine().getOut();
      long start = System.nanoTime();
      AutoencoderPipeline.Reconstruction r;
      try (AutoencoderPipeline p = AutoencoderPipeline.builder(components).weights(w).batchSize(batchSize).device(weightsOptions.device).build()) {
        r = p.reconstruct(images);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      output.prepare();
      Path reconstructions = outputDir.resolve("images");
      PngImages.writeAll(reconstructions, r.images(), names);
      int show = Math.min(images.count(), 16);
      List<ImageBatch> pairs = new ArrayList<>();
      for (int i = 0; i < show; i++) {
        pairs.add(images.slice(i, i + 1));
        pairs.add(r.images().slice(i, i + 1));
      }
      if (show > 0) {
        PngImages.writeGrid(outputDir.resolve("comparison.png"), ImageBatch.stack(pairs), 8);
      }
      out.printf(Locale.ROOT, "reconstructed %d images in %.2f s -> %s%n", images.count(), seconds, reconstructions.toAbsolutePath());
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
        Embedding[] f = features(components, features.weights(), images, r.images());
        FidBootstrap.Result b = bootstrap > 0 ? FidBootstrap.of(f[0], f[1], bootstrap, BOOTSTRAP_SEED) : null;
        out.printf(Locale.ROOT, "reconstruction FID %.2f against the %d originals (%s; 0 = indistinguishable)%n",
            b != null ? b.fullFid() : FrechetDistance.between(FeatureStatistics.of(f[0]), FeatureStatistics.of(f[1])), images.count(),
            features.describe());
        if (b != null) {
          Path csv = outputDir.resolve("fid-bootstrap.csv");
          writeBootstrap(csv, b, images.count());
          out.printf(Locale.ROOT, "bootstrap (%d resamples of the %d pairs): resampled FIDs 2.5%%..97.5%% %.2f .. %.2f, median %.2f -> %s%n",
              bootstrap, images.count(), b.quantile(0.025), b.quantile(0.975), b.quantile(0.5), csv.toAbsolutePath());
          out.println("  (resampled sets repeat images, which raises FID: compare models resample by resample with --paired-with)");
          if (baseline != null) {
            FidBootstrap.Result d = b.minus(baseline);
            long lower = java.util.Arrays.stream(d.resampleFids()).filter(x -> x < 0).count();
            out.printf(Locale.ROOT, "paired with %s: this model's FID is lower on %d of %d resamples; difference (this - that) %+.2f, "
                + "95%% interval %+.2f .. %+.2f%n", pairedWith, lower, bootstrap, d.fullFid(), d.quantile(0.025), d.quantile(0.975));
          }
        }
      } else {
        out.println("no reconstruction FID: " + noFid + "; PSNR only (--evaluator-weights DIR names a feature network)"
            + (bootstrap > 0 ? ", so no --bootstrap either" : ""));
      }
      out.println("side by side (original, reconstruction): " + outputDir.resolve("comparison.png").toAbsolutePath());
      out.flush();
      return 0;
    }
  }

  /**
   * The first {@code limit} images of a data set's test (or training) split at the model's size,
   * and their output file names: Fashion-MNIST's numbered, Twemoji's the emoji's own image names.
   */
  private static ImageBatch datasetImages(String dataset, boolean train, int size, int channels, int limit, List<String> names) {
    switch (dataset) {
      case "fashion-mnist" -> {
        Dataset data = FashionMnist.load(null, train ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST).upTo(limit);
        for (int i = 0; i < data.size(); i++) {
          names.add(String.format(Locale.ROOT, "%04d.png", i));
        }
        return data.images();
      }
      case "twemoji" -> {
        if (channels != 3) {
          throw new TesseraException("--dataset twemoji: twemoji images are RGB, and the model takes " + channels + " channel(s)");
        }
        Twemoji.Loaded loaded = Twemoji.load(null, train ? Twemoji.Split.TRAIN : Twemoji.Split.TEST, size);
        Dataset first = loaded.data().upTo(limit);
        loaded.emoji().subList(0, first.size()).forEach(e -> names.add(e.image()));
        return first.images();
      }
      default -> throw new TesseraException("--dataset: fashion-mnist or twemoji, got '" + dataset + "' (--input reads a folder of PNGs)");
    }
  }

  /**
   * Features of the originals and of the reconstructions in an evaluator trained on real data (the
   * project's own feature network, see {@link FeatureNetworks}): what the reconstruction FID compares.
   */
  private static Embedding[] features(Components components, ModelWeights evaluator, ImageBatch originals, ImageBatch reconstructions) {
    try (ImageEvaluator e = new ImageEvaluator(components, evaluator)) {
      return new Embedding[] {e.run(originals).features(), e.run(reconstructions).features()};
    }
  }

  /** One line per resample ("resample,images,fid"); resample -1 is the FID of all the images. */
  private static void writeBootstrap(Path csv, FidBootstrap.Result b, int images) {
    StringBuilder text = new StringBuilder(BOOTSTRAP_HEADER).append('\n');
    // Double.toString round-trips exactly, so a model paired with its own file differs by 0.
    text.append("-1,").append(images).append(',').append(b.fullFid()).append('\n');
    for (int i = 0; i < b.resampleFids().length; i++) {
      text.append(i).append(',').append(images).append(',').append(b.resampleFids()[i]).append('\n');
    }
    AtomicFiles.writeString(csv, text.toString());
  }

  /**
   * Another run's fid-bootstrap.csv: the FID of all its images followed by its resample FIDs,
   * checked to come from the same image count and number of resamples.
   */
  static double[] readBootstrap(Path csv, int images, int resamples) {
    if (resamples == 0) {
      throw new TesseraException("--paired-with needs --bootstrap N (the N of the run that wrote " + csv + ")");
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(csv);
    } catch (IOException e) {
      throw new TesseraException("--paired-with: cannot read " + csv + ": " + e.getMessage(), e);
    }
    if (lines.isEmpty() || !lines.get(0).equals(BOOTSTRAP_HEADER)) {
      throw new TesseraException("--paired-with: " + csv + " is not a fid-bootstrap.csv (first line should be '" + BOOTSTRAP_HEADER + "')");
    }
    if (lines.size() != resamples + 2) {
      throw new TesseraException("--paired-with: " + csv + " holds " + Math.max(0, lines.size() - 2) + " resamples, this run makes "
          + resamples + ": use the same --bootstrap");
    }
    double[] values = new double[resamples + 1];
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      try {
        if (f.length != 3 || Integer.parseInt(f[0]) != i - 2) {
          throw new NumberFormatException("expected resample " + (i - 2));
        }
        if (Integer.parseInt(f[1]) != images) {
          throw new TesseraException("--paired-with: " + csv + " was made from " + f[1] + " images, this run has " + images
              + ": pair runs on the same images");
        }
        values[i - 1] = Double.parseDouble(f[2]);
      } catch (NumberFormatException e) {
        throw new TesseraException("--paired-with: " + csv + " line " + (i + 1) + " is malformed: '" + lines.get(i) + "'", e);
      }
    }
    return values;
  }
}
