package dev.tessera.plugins.vqgan;

import dev.tessera.api.augment.RandomViews;
import dev.tessera.api.pipeline.ClipSimilarity;
import dev.tessera.api.pipeline.CodeSampler;
import dev.tessera.api.pipeline.VocabularyCheck;
import dev.tessera.api.pipeline.ReferencedWeights;
import dev.tessera.api.graph.LoadedGraph;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.types.Latents;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.Initializer;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.sampling.Scheduler;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.train.FrozenAutoencoder;
import dev.tessera.api.train.FrozenEncoder;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.api.types.WeightedPrompts;
import dev.tessera.api.io.PngImages;
import dev.tessera.api.pipeline.PipelineContext;
import dev.tessera.api.spi.ComponentLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The {@code vqgan-clip} pipeline (Crowson et al. 2022, "VQGAN-CLIP"): no generator is trained for
 * text; instead a continuous latent grid is optimised with Adam so that the frozen vector-quantised
 * autoencoder's decoding of it (quantised in the forward pass, straight-through in the backward)
 * maximises the CLIP guidance's similarity to a weighted prompt ("a sneaker:1|a boot:-0.3") over
 * random views ({@link RandomViews}). The grid starts from the codes a transformer prior draws for
 * the prompt (where one ships over this autoencoder's codes: docs/vqgan-clip.md measures why), from
 * the encoder's latents of a blank canvas plus Gaussian noise drawn from the seed, or from the
 * encoder's latents of an init image. Runs on any VQ autoencoder whose config names its encoder,
 * quantizer and decoder (VQGAN, else the VQ-VAE) and on CLIP's shipped weights.
 *
 * <p>Images are optimised in batches of {@code batch_size}, each in a fresh graph
 * ({@link CodeGridOptimisation}); {@link #results} reports the deterministic CLIP score
 * ({@link ClipSimilarity}) of the images before and after the optimisation.
 */
public final class VqganClipPipeline implements GenerationPipeline {
  private final String name;
  private final ComponentLookup components;
  private final Options options;
  private final int batchSize;
  private final String device;
  private final PipelineContext context;
  private final ModelConfig autoencoder;
  private final ModelConfig clip;
  /** What the guiding CLIP reads of a prompt (built once: it asks the encoder for its known tokens). */
  private final VocabularyCheck vocabulary;
  /** How the guiding CLIP reads words it has no embedding for (null: it does not), as the prior's prompt tower does. */
  private final dev.tessera.api.pipeline.UnknownWordReading reading;
  private final ModelConfig guide;
  private final Parameters weights;
  private final Guidance guidance;
  private final ImageBatch initImage;
  private final long parameters;
  /** The prior that draws the start, its weights, and what scores the codes (null: none). */
  private final LoadedGraph<CodeSampler> prior;
  private final ModelWeights priorWeights;
  private final Prior.CodeScorer scorer;
  /** The autoencoder's, the guide's and, with a prior, the prior's transformer's tensors: what each batch's graph loads. */
  private final Parameters optimisationWeights;
  private final Start start;
  private Map<String, Object> results = Map.of();

  /**
   * How the latents are searched: Adam for {@code iterations} steps at {@code learningRate},
   * starting from the encoded {@code initImage}, else as {@code start} says (auto, prior: the
   * codes the {@code prior} model's weight set over this autoencoder draws at
   * {@code priorGuidanceScale}, the best by the guide's score of {@code priorCandidates} draws; canvas: a blank canvas's latents plus Gaussian noise of
   * {@code initNoise} times the codebook's RMS, drawn from the seed), scoring {@code cutouts}
   * random {@code views} per image and step with the score guidance {@code guidance} on the CLIP
   * {@code guide} names, and writing the images every {@code saveEvery} iterations (0: never)
   * under {@code framesDir}.
   */
  public record Options(int iterations, double learningRate, Path initImage, int saveEvery, int cutouts, String views, double initNoise,
      String guidance, String guide, String start, String prior, double priorGuidanceScale, int priorCandidates, Path framesDir) {
    /** The context's options; frames go to OUTPUT/frames of the folder generate writes. */
    public static Options of(PipelineContext context) {
      dev.tessera.api.options.Options o = context.options();
      return new Options(o.getInt("iterations"), o.getDouble("learning_rate"), o.getPath("init_image"), o.getInt("save_every"),
          o.getInt("cutouts"), o.getString("views"), o.getDouble("init_noise"), o.getString("score_guidance"), o.getString("guide"),
          o.getString("start"), o.getString("prior"), o.getDouble("prior_guidance_scale"), o.getInt("prior_candidates"),
          context.outputDir() == null ? null : context.outputDir().resolve("frames"));
    }
  }

  public VqganClipPipeline(PipelineContext context) {
    this.context = context;
    this.name = context.name();
    this.components = context.components();
    this.options = Options.of(context);
    this.batchSize = context.batchSize();
    this.device = context.device();
    ModelWeights weights = context.weights();
    this.autoencoder = weights.config();
    if (!autoencoder.has("quantizer") || !autoencoder.has("decoder")) {
      throw new TesseraException("model '" + autoencoder.getString("model", context.model()) + "' is not a vector-quantised autoencoder (its config names"
          + " no quantizer and decoder): vqgan-clip runs on 'vqgan' or 'vqvae' weights");
    }
    ModelWeights clipWeights;
    Path guideFolder = guideFolder(options.guide(), context);
    if (guideFolder != null) {
      // a CLIP trained here and not shipped: its weights folder
      this.guide = autoencoder.with("text_model", guideFolder.toString());
      clipWeights = ReferencedWeights.complete(ModelWeights.load(guideFolder), components);
    } else {
      this.guide = options.guide().equals("auto") ? guideReference(autoencoder) : autoencoder.with("text_model", options.guide());
      clipWeights = FrozenEncoder.weights(guide, components);
    }
    // The views show the autoencoder's background (black for Fashion-MNIST) outside the image.
    this.clip = clipWeights.config().with("cutouts", options.cutouts()).with("views", options.views())
        .with("view_fill", autoencoder.getDouble("background", 0));
    this.vocabulary = VocabularyCheck.of(clip, components);
    this.reading = dev.tessera.api.pipeline.UnknownWordReading.of(vocabulary, dev.tessera.api.pipeline.KnownCaptions.of(clip),
        components.lexicon());
    this.guidance = components.guidance(options.guidance());
    this.weights = new Parameters(weights.parameters().source() + " + " + clipWeights.parameters().source())
        .putAll(weights.parameters()).putAll(clipWeights.parameters()); // the guide's CLIP wins over one the autoencoder's loss used
    this.parameters = count(this.weights);
    this.initImage = options.initImage() == null ? null : readInitImage(options.initImage());
    this.start = chooseStart(components);
    this.priorWeights = start.kind().equals("prior") ? ReferencedWeights.shipped(components, start.prior()) : null;
    this.prior = priorWeights == null ? null : openPrior(components, start.prior(), priorWeights);
    this.scorer = priorWeights == null ? null : components.prior(priorWeights.config().getString("prior", "gpt")) instanceof Prior.CodeScorer s ? s : null;
    this.optimisationWeights = scorer == null ? this.weights : withPriorTransformer(this.weights, priorWeights);
  }

  /** The tensors of the prior's transformer (its scope) added to {@code weights}; its prompt tower's stay out. */
  private static Parameters withPriorTransformer(Parameters weights, ModelWeights prior) {
    String scope = prior.config().getString("scope", "gpt") + ".";
    java.util.Set<String> others = new java.util.HashSet<>();
    for (String name : prior.parameters().names()) {
      if (!name.startsWith(scope)) {
        others.add(name);
      }
    }
    return new Parameters(weights.source() + " + " + prior.parameters().source()).putAll(weights).putAll(prior.parameters().without(others));
  }

  /** Where the latents start (init_image, prior or canvas), why, and the prior's weights reference (null: none). */
  private record Start(String kind, String why, String prior) {}

  /**
   * Where the latents start, why, and the prior's weights: an init image when one is given; the
   * prior's codes when asked for, or by default (auto) when the prior model ships a weight set
   * over this autoencoder's codes; else the blank canvas.
   */
  private Start chooseStart(ComponentLookup components) {
    if (options.initImage() != null) {
      return new Start("init_image", "--init-image given", null);
    }
    if (options.start().equals("canvas")) {
      return new Start("canvas", "named by start", null);
    }
    boolean asked = options.start().equals("prior");
    String model = dev.tessera.api.io.WeightsReference.parse(options.prior()).model();
    String why;
    if (context.weightsFolder() != null && !asked) {
      why = "the autoencoder's weights come from a folder: no shipped prior is known to draw its codes";
    } else if (!components.hasModel(model)) {
      why = "no prior '" + model + "' is loaded";
    } else {
      String found = priorOver(components, context.model());
      if (found != null) {
        return new Start("prior", (asked ? "named by start" : "default") + ": '" + found + "' draws codes of '" + context.model() + "'", found);
      }
      why = "'" + options.prior() + "' ships no weights over the codes of '" + context.model() + "'";
    }
    if (asked) {
      throw new TesseraException("start=prior: " + why);
    }
    return new Start("canvas", why, null);
  }

  /**
   * Of the prior option's weight sets (the one it names; for a bare model name also its variants),
   * the first trained over {@code autoencoderReference}'s codes (its "autoencoder_model"), or null.
   */
  private String priorOver(ComponentLookup components, String autoencoderReference) {
    dev.tessera.api.io.WeightsReference named = dev.tessera.api.io.WeightsReference.parse(options.prior());
    List<String> candidates = new ArrayList<>(List.of(options.prior()));
    if (named.variant() == null) {
      for (String variant : components.model(named.model()).weightVariants()) {
        candidates.add(named.model() + ":" + variant);
      }
    }
    for (String reference : candidates) {
      ModelWeights w = components.shippedWeights(reference);
      if (w != null && autoencoderReference.equals(w.config().getString("autoencoder_model", ""))) {
        return reference;
      }
    }
    return null;
  }

  /**
   * The transformer prior that draws the starting codes: its shipped weights, whose autoencoder's
   * code grid and codebook must be this run's.
   */
  private LoadedGraph<CodeSampler> openPrior(ComponentLookup components, String reference, ModelWeights w) {
    ModelConfig theirs = FrozenAutoencoder.MODEL.section(w.config());
    if (FrozenAutoencoder.gridSize(theirs) != FrozenAutoencoder.gridSize(autoencoder)
        || FrozenAutoencoder.codebookSize(theirs) != FrozenAutoencoder.codebookSize(autoencoder)) {
      throw new TesseraException("start=prior: '" + reference + "' draws " + FrozenAutoencoder.gridSize(theirs) + "x" + FrozenAutoencoder.gridSize(theirs)
          + " grids of " + FrozenAutoencoder.codebookSize(theirs) + " codes; this autoencoder's are " + FrozenAutoencoder.gridSize(autoencoder) + "x"
          + FrozenAutoencoder.gridSize(autoencoder) + " of " + FrozenAutoencoder.codebookSize(autoencoder));
    }
    return LoadedGraph.build(device, w.parameters(), root -> CodeSampler.build(root, w.config(), components));
  }

  /**
   * The guide as a weights folder (config.json + model.safetensors), when the option names one
   * rather than a model reference; relative to the pipeline file's folder when it came from one.
   */
  private static Path guideFolder(String guide, PipelineContext context) {
    if (guide.equals("auto") || !(guide.contains("/") || guide.contains(java.io.File.separator))) {
      return null; // "clip", "clip:twemoji": a model reference
    }
    Path p = Path.of(guide);
    if (!Files.isDirectory(p)) {
      throw new TesseraException("guide " + guide + ": no such weights folder (a model reference such as clip or clip:twemoji, or a folder "
          + "with config.json and model.safetensors)");
    }
    return p;
  }

  /**
   * Which CLIP guides the optimisation: the autoencoder's "text_model" if it names one, else the
   * CLIP its perceptual loss was trained with ("perceptual_model": clip:twemoji for vqgan:twemoji,
   * so the guide knows the images' domain and its tensors are the ones already in the weights),
   * else the default CLIP.
   */
  static ModelConfig guideReference(ModelConfig autoencoder) {
    if (autoencoder.has("text_model") || !autoencoder.has("perceptual_model")) {
      return autoencoder;
    }
    return autoencoder.with("text_model", autoencoder.getString("perceptual_model", "clip"));
  }

  private ImageBatch readInitImage(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new TesseraException("--init-image " + file + ": file not found");
    }
    int size = autoencoder.getPositiveInt("image_size", 28);
    return PngImages.readResized(file, size, size, autoencoder.getPositiveInt("channels", 1));
  }

  private static long count(Parameters p) {
    long n = 0;
    for (String k : p.names()) {
      n += Initializer.numElements(p.get(k).shape());
    }
    return n;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, Object> settings() {
    Map<String, Object> s = new LinkedHashMap<>(context.modelSettings());
    s.put("model", autoencoder.getString("model", context.model())); // with --weights, the weights say which model they are
    s.put("autoencoder", autoencoder.getString("model", context.model()));
    s.put("guidance", guidance.name());
    s.put("clip", guide.getString("text_model", "clip"));
    s.put("iterations", options.iterations());
    s.put("learning_rate", options.learningRate());
    s.put("cutouts", options.cutouts());
    s.put("views", options.views());
    s.putAll(RandomViews.from(clip, "views", RandomViews.NONE).describe("views"));
    s.put("start", start.kind());
    s.put("start_choice", start.why());
    if (start.kind().equals("prior")) {
      s.put("prior", start.prior());
      s.put("prior_guidance_scale", options.priorGuidanceScale());
      s.put("prior_candidates", options.priorCandidates());
    }
    s.put("init_noise", options.initNoise());
    s.put("init_image", options.initImage() == null ? null : options.initImage().toString());
    s.put("save_every", options.saveEvery());
    s.put("batch_size", batchSize);
    return s;
  }

  @Override
  public long parameterCount() {
    return parameters;
  }

  @Override
  public Double trainingSeconds() {
    return GenerationPipeline.trainingSeconds(autoencoder);
  }

  @Override
  public Map<String, Object> results() {
    return results;
  }

  /** What the guiding CLIP, and the prior where the latents start from one, cannot read in the prompt. */
  @Override
  public List<String> warnings(String prompt) {
    java.util.Set<String> lines = new java.util.LinkedHashSet<>(reading == null ? vocabulary.warnings(prompt) : reading.warnings(reading.read(prompt)));
    if (prior != null) {
      lines.addAll(prior.parts().prompts().warnings(prior.session(), prompt));
    }
    return List.copyOf(lines);
  }

  @Override
  public ImageBatch generate(String prompt, int count, long seed, Progress progress) {
    WeightedPrompts weighted = WeightedPrompts.parse(prompt);
    // The guide reads unknown words as the prior does ("zori" as "sandal"); the prior's prompt tower reads the prompt itself.
    String guidePrompt = reading == null ? prompt : reading.read(prompt).prompt();
    if (count < 1) {
      throw new TesseraException("--num-images must be positive, got " + count);
    }
    if (options.saveEvery() > 0 && options.framesDir() == null) {
      throw new TesseraException("save-every needs a folder for the frames: run it from 'generate' (frames go to OUTPUT/frames)");
    }
    int grid = FrozenAutoencoder.gridSize(autoencoder);
    int latentSize = grid * grid * FrozenAutoencoder.embeddingDim(autoencoder);
    float[] noise = start.kind().equals("canvas") ? Scheduler.gaussian(count * latentSize, new SplittableRandom(seed)) : null;
    long total = (long) options.iterations() * ((count + batchSize - 1) / batchSize);
    List<ImageBatch> parts = new ArrayList<>();
    double before = 0;
    double after = 0;
    double nllBefore = 0;
    double nllAfter = 0;
    java.util.SortedSet<String> scopes = new java.util.TreeSet<>();
    // The prompt's embedding by the prior's own text tower: the same for every batch.
    CodeGridOptimisation.PriorScore term = scorer == null ? null : new CodeGridOptimisation.PriorScore(scorer, priorWeights.config(),
        prior.parts().positiveCondition(prior.session(), prompt).embedding().values());
    for (int from = 0; from < count; from += batchSize) {
      int n = Math.min(batchSize, count - from);
      try (CodeGridOptimisation run = new CodeGridOptimisation(components, autoencoder, clip, optimisationWeights, guidance, guidePrompt, n,
          options.learningRate(), device, seed * 1_000_003L + from, term)) {
        scopes.addAll(run.variableScopes());
        float[] z;
        if (initImage != null) {
          z = repeat(run.encode(initImage), n);
        } else if (start.kind().equals("prior")) {
          z = bestPriorCodes(run, weighted, prompt, n, seed * 1_000_003L + from);
        } else {
          z = noisyCanvas(run, Arrays.copyOfRange(noise, from * latentSize, (from + n) * latentSize));
        }
        run.start(z);
        ImageBatch images = run.images();
        before += sum(run.similarity(images, weighted));
        nllBefore += n * run.priorNll();
        saveFrames(images, from, 0);
        for (int i = 1; i <= options.iterations(); i++) {
          run.step();
          if (options.saveEvery() > 0 && (i % options.saveEvery() == 0 || i == options.iterations())) {
            saveFrames(run.images(), from, i);
          }
          if (progress != null) {
            progress.update((long) from / batchSize * options.iterations() + i, total);
          }
        }
        images = run.images();
        after += sum(run.similarity(images, weighted));
        nllAfter += n * run.priorNll();
        parts.add(images);
      }
    }
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("clip_score_before", round(before / count));
    r.put("clip_score_after", round(after / count));
    if (scorer != null) {
      // how likely the prior finds the codes, nats per code: how far the search moved from where the prior puts its mass
      // (docs/vqgan-clip.md: adding this likelihood to the loss raised it instead, so it is only measured)
      r.put("prior_nll_before", round(nllBefore / count));
      r.put("prior_nll_after", round(nllAfter / count));
    }
    r.put("variable_scopes", List.copyOf(scopes));
    this.results = r;
    return ImageBatch.stack(parts);
  }

  /**
   * The latents of a blank canvas (the autoencoder's "background" level, 0: black, the background
   * of Fashion-MNIST) for each image, plus {@code init_noise} times the codebook's RMS times the
   * image's share of the seeded noise. Random codes, as VQGAN-CLIP starts, decode to texture that
   * a small CLIP is easily fooled by; a blank start lets the guidance draw an object.
   */
  private float[] noisyCanvas(CodeGridOptimisation run, float[] noise) {
    int size = autoencoder.getPositiveInt("image_size", 28);
    int channels = autoencoder.getPositiveInt("channels", 1);
    float[] pixels = new float[size * size * channels];
    Arrays.fill(pixels, (float) autoencoder.getDouble("background", 0));
    float[] canvas = run.encode(new ImageBatch(1, size, size, channels, pixels));
    float scale = (float) (options.initNoise() * rms(run.codebook()));
    float[] z = repeat(canvas, noise.length / canvas.length);
    for (int i = 0; i < z.length; i++) {
      z[i] += scale * noise[i];
    }
    return z;
  }

  /**
   * Of {@code prior_candidates} grids the prior draws for each image, the one whose decoding the
   * guide's deterministic score ({@link CodeGridOptimisation#similarity}) puts highest, as codebook
   * vectors. The first draw is seeded as the vqgan-transformer pipeline seeds its batches (so with
   * one candidate, at the same batch size, the images it would draw are where the optimisation
   * starts); the others from seeds derived from it.
   */
  private float[] bestPriorCodes(CodeGridOptimisation run, WeightedPrompts weighted, String prompt, int n, long batchSeed) {
    float[] best = priorCodes(run, prompt, n, batchSeed);
    if (options.priorCandidates() == 1) {
      return best;
    }
    int size = best.length / n;
    run.start(best);
    float[] bestScores = run.similarity(run.images(), weighted);
    for (int k = 1; k < options.priorCandidates(); k++) {
      float[] z = priorCodes(run, prompt, n, batchSeed + k * 0x9E3779B97F4A7C15L);
      run.start(z);
      float[] scores = run.similarity(run.images(), weighted);
      for (int i = 0; i < n; i++) {
        if (scores[i] > bestScores[i]) {
          bestScores[i] = scores[i];
          System.arraycopy(z, i * size, best, i * size, size);
        }
      }
    }
    return best;
  }

  /** The codebook vectors of code grids the prior draws for the prompt's positive parts, from one seed. */
  private float[] priorCodes(CodeGridOptimisation run, String prompt, int n, long batchSeed) {
    org.tensorflow.Session session = prior.session();
    dev.tessera.api.types.Condition condition = prior.parts().positiveCondition(session, prompt);
    Latents codes = prior.parts().sample(session, condition, n,
        Prior.SamplingOptions.seeded(batchSeed).withGuidance((float) options.priorGuidanceScale()));
    float[] codebook = run.codebook();
    int dim = FrozenAutoencoder.embeddingDim(autoencoder);
    float[] z = new float[codes.codes().length * dim];
    for (int i = 0; i < codes.codes().length; i++) {
      System.arraycopy(codebook, codes.codes()[i] * dim, z, i * dim, dim);
    }
    return z;
  }

  private static double rms(float[] values) {
    double s = 0;
    for (float v : values) {
      s += (double) v * v;
    }
    return Math.sqrt(s / values.length);
  }

  private static float[] repeat(float[] one, int n) {
    float[] out = new float[one.length * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(one, 0, out, i * one.length, one.length);
    }
    return out;
  }

  /** FRAMES/&lt;image&gt;/&lt;iteration&gt;.png for each image of a batch, when frames are asked for. */
  private void saveFrames(ImageBatch images, int from, int iteration) {
    if (options.saveEvery() <= 0) {
      return;
    }
    for (int i = 0; i < images.count(); i++) {
      Path file = options.framesDir().resolve(String.format("%04d", from + i)).resolve(String.format("%05d.png", iteration));
      PngImages.write(file, images, i);
    }
  }

  private static double sum(float[] values) {
    double s = 0;
    for (float v : values) {
      s += v;
    }
    return s;
  }

  private static double round(double v) {
    return Math.round(v * 1e4) / 1e4;
  }

  @Override
  public void close() {
    // each batch's graph and session are closed as soon as it is done
    if (prior != null) {
      prior.close();
    }
  }
}
