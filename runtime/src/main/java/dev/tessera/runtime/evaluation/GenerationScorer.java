package dev.tessera.runtime.evaluation;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.Embedding;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.Dataset;
import dev.tessera.runtime.data.FashionMnist;
import dev.tessera.runtime.data.FashionMnistCaptions;
import dev.tessera.runtime.data.ImageAttributes;
import dev.tessera.api.pipeline.EmbeddingPipeline;
import dev.tessera.runtime.plugin.Components;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Scores generated Fashion-MNIST-like images with networks that were not trained with any
 * generator: the evaluator's classifier (conditional accuracy: share assigned to the prompted
 * class) and feature network (FID against the test set, with the real-data floor and the noise
 * ceiling measured at the same n, since FID depends on n), CLIP score, diversity and
 * near-duplicates. One prompt at a time ({@link #score}) or a whole prompt set pooled
 * ({@link #scoreAll}), as {@code evaluate} and {@code compare} report them.
 */
public final class GenerationScorer implements AutoCloseable {
  /**
   * The scores of one prompt's images; {@code targetClass} is -1 (and accuracy NaN) for prompts
   * naming no class. {@code attributes}: the images' mean brightness, pattern and size.
   */
  public record PromptScore(String prompt, int images, int targetClass, double conditionalAccuracy, double fid, double fidFloor,
      double fidCeiling, double clipScore, double diversity, double realDiversity, int nearDuplicates, boolean modeCollapse,
      ImageAttributes.Measures attributes) {}

  /**
   * Pooled over a prompt set: accuracy and CLIP score averaged over prompts, FID of all images
   * together; {@code attributeControl} has a row for each "a photo of a dark coat" / "a photo of a
   * light coat" pair of the set ({@link AttributeControl}), none when it has no pair.
   */
  public record SetScore(List<PromptScore> prompts, int images, double conditionalAccuracy, double fid, double fidFloor, double fidCeiling,
      double clipScore, double diversity, double realDiversity, int nearDuplicates, int modeCollapseWarnings,
      List<AttributeControl.Row> attributeControl) {}

  private final ImageEvaluator evaluator;
  private final EmbeddingPipeline clip;
  private final long seed;
  private Dataset test;
  private Dataset train;
  /** Test-set feature statistics by the set of classes they cover ({-1}: all), computed once. */
  private final Map<java.util.Set<Integer>, FeatureStatistics> references = new java.util.HashMap<>();
  /** Prompts whose class was given ({@link #givenClasses}) rather than read from their words. */
  private Map<String, Integer> given = Map.of();
  private AttributeControl.Reference attributeReference;

  /**
   * @param clipWeights CLIP weights for the CLIP score, or null to skip it
   * @param seed of the real and noise samples behind the floor and the ceiling
   */
  public GenerationScorer(Components components, ModelWeights evaluatorWeights, ModelWeights clipWeights, String device, long seed) {
    this.evaluator = new ImageEvaluator(components, evaluatorWeights);
    EmbeddingPipeline c = null;
    try {
      c = clipWeights == null ? null : new EmbeddingPipeline(components, clipWeights, 256, device);
    } catch (RuntimeException e) {
      evaluator.close();
      throw e;
    }
    this.clip = c;
    this.seed = seed;
  }

  private Dataset test() {
    if (test == null) {
      test = FashionMnist.load(null, FashionMnist.Split.TEST);
    }
    return test;
  }

  private Dataset train() {
    if (train == null) {
      train = FashionMnist.load(null, FashionMnist.Split.TRAIN);
    }
    return train;
  }

  /**
   * Scores these prompts' images against the classes given here ("a zori" asks for a sandal)
   * instead of the class their words name ({@link PromptLabels#classOf}).
   */
  public GenerationScorer givenClasses(Map<String, Integer> classes) {
    this.given = Map.copyOf(classes);
    return this;
  }

  private int classOf(String prompt) {
    return prompt == null ? -1 : given.getOrDefault(prompt, PromptLabels.classOf(prompt));
  }

  /** The images of one prompt, compared with the real test images of the prompted class (all classes if it names none). */
  public PromptScore score(String prompt, ImageBatch images) {
    check(images);
    int target = classOf(prompt);
    ImageEvaluator.Outputs generated = evaluator.run(images);
    int[] targets = new int[images.count()];
    java.util.Arrays.fill(targets, target);
    return measure(prompt, images, generated, targets, target);
  }

  /** Each prompt scored alone, and all images pooled (FID against the test images of the prompted classes). */
  public SetScore scoreAll(Map<String, ImageBatch> byPrompt) {
    List<PromptScore> prompts = new ArrayList<>();
    List<ImageBatch> all = new ArrayList<>();
    List<Integer> targets = new ArrayList<>();
    for (Map.Entry<String, ImageBatch> e : byPrompt.entrySet()) {
      prompts.add(score(e.getKey(), e.getValue()));
      all.add(e.getValue());
      int t = classOf(e.getKey());
      for (int i = 0; i < e.getValue().count(); i++) {
        targets.add(t);
      }
    }
    ImageBatch pooled = ImageBatch.stack(all);
    PromptScore p = measure(null, pooled, evaluator.run(pooled), targets.stream().mapToInt(Integer::intValue).toArray(), -2);
    double acc = prompts.stream().filter(s -> s.targetClass() >= 0).mapToDouble(PromptScore::conditionalAccuracy).average().orElse(Double.NaN);
    double clipMean = prompts.stream().mapToDouble(PromptScore::clipScore).average().orElse(Double.NaN);
    double div = prompts.stream().mapToDouble(PromptScore::diversity).average().orElse(Double.NaN);
    double realDiv = prompts.stream().mapToDouble(PromptScore::realDiversity).average().orElse(Double.NaN);
    int dups = prompts.stream().mapToInt(PromptScore::nearDuplicates).sum();
    int collapses = (int) prompts.stream().filter(PromptScore::modeCollapse).count();
    Map<String, ImageAttributes.Measures> measured = new LinkedHashMap<>();
    prompts.forEach(s -> measured.put(s.prompt(), s.attributes()));
    List<AttributeControl.Row> control = List.of();
    if (byPrompt.keySet().stream().anyMatch(AttributeControl.prompts()::contains)) {
      if (attributeReference == null) {
        attributeReference = AttributeControl.reference(train());
      }
      control = AttributeControl.rows(attributeReference, measured);
    }
    return new SetScore(prompts, pooled.count(), acc, p.fid(), p.fidFloor(), p.fidCeiling(), clipMean, div, realDiv, dups, collapses, control);
  }

  /**
   * @param targets per image: its prompted class (-1 none)
   * @param target the one prompted class, -1 for none, -2 for a pooled set (reference = the test
   *     images of the classes in {@code targets}, the floor a class-matched real sample)
   */
  private PromptScore measure(String prompt, ImageBatch images, ImageEvaluator.Outputs generated, int[] targets, int target) {
    int n = images.count();
    int hits = 0;
    for (int i = 0; i < n; i++) {
      if (targets[i] >= 0 && generated.predictedClass(i) == targets[i]) {
        hits++;
      }
    }
    java.util.Set<Integer> classes = new java.util.TreeSet<>();
    for (int t : targets) {
      classes.add(t);
    }
    boolean anyClass = !classes.contains(-1);
    Dataset test = test();
    int[] refRows = IntStream.range(0, test.size()).filter(i -> !anyClass || classes.contains(test.labels()[i])).toArray();
    FeatureStatistics reference = references.computeIfAbsent(anyClass ? classes : java.util.Set.of(-1),
        k -> FeatureStatistics.of(evaluator.run(test.images().select(refRows)).features()));
    // The floor: n real training images with the same classes as the generated ones.
    Dataset train = train();
    SplittableRandom r = new SplittableRandom(seed);
    Map<Integer, int[]> byClass = new LinkedHashMap<>();
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      int t = anyClass ? targets[i] : -1;
      int[] pool = byClass.computeIfAbsent(t, c -> IntStream.range(0, train.size()).filter(j -> c < 0 || train.labels()[j] == c).toArray());
      rows[i] = pool[r.nextInt(pool.length)];
    }
    ImageEvaluator.Outputs real = evaluator.run(train.images().select(rows));
    ImageEvaluator.Outputs noise = evaluator.run(uniformNoise(n, seed));
    Diversity realDiversity = Diversity.of(real.features(), 0);
    Diversity diversity = Diversity.of(generated.features(), 0.1 * realDiversity.meanPairwiseDistance());
    boolean collapse = diversity.nearDuplicates() > n / 2 || diversity.meanPairwiseDistance() < 0.5 * realDiversity.meanPairwiseDistance();
    double clipScore = prompt == null || clip == null ? Double.NaN : clipScore(prompt, images);
    return new PromptScore(prompt, n, target, target >= 0 ? (double) hits / n : Double.NaN,
        FrechetDistance.between(FeatureStatistics.of(generated.features()), reference),
        FrechetDistance.between(FeatureStatistics.of(real.features()), reference),
        FrechetDistance.between(FeatureStatistics.of(noise.features()), reference),
        clipScore, diversity.meanPairwiseDistance(), realDiversity.meanPairwiseDistance(), diversity.nearDuplicates(), collapse,
        AttributeControl.mean(images));
  }

  /** Mean cosine similarity between the images' and the prompt's CLIP embeddings. */
  private double clipScore(String prompt, ImageBatch images) {
    Embedding text = clip.embedTexts(List.of(prompt));
    Embedding img = clip.embedImages(images);
    double sum = 0;
    for (int i = 0; i < img.count(); i++) {
      sum += img.dot(i, text, 0);
    }
    return sum / img.count();
  }

  private static void check(ImageBatch images) {
    if (images.count() < 2) {
      throw new TesseraException("need at least 2 images to evaluate, got " + images.count());
    }
    if (images.height() != 28 || images.width() != 28 || images.channels() != 1) {
      throw new TesseraException("the Fashion-MNIST evaluator scores 28x28 gray images, got " + images.height() + "x" + images.width()
          + "x" + images.channels());
    }
  }

  static ImageBatch uniformNoise(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
    float[] px = new float[n * 28 * 28];
    for (int i = 0; i < px.length; i++) {
      px[i] = (float) r.nextDouble();
    }
    return new ImageBatch(n, 28, 28, 1, px);
  }

  /** The class names prompts may use, for error messages. */
  public static String knownClasses() {
    return String.join(", ", FashionMnistCaptions.CLASS_PROMPT_NAMES);
  }

  @Override
  public void close() {
    evaluator.close();
    if (clip != null) {
      clip.close();
    }
  }
}
