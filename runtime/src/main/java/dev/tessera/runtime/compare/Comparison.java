package dev.tessera.runtime.compare;

import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.data.FashionMnistCaptions;
import dev.tessera.runtime.evaluation.GenerationScorer;
import dev.tessera.runtime.pipeline.GenerationOutput;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.api.pipeline.TrainingRuns;
import dev.tessera.runtime.plugin.Components;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs several pipelines on the same prompts and seeds and scores every one with the same
 * evaluator ({@link GenerationScorer}): the numbers behind {@code tessera compare}. A pipeline that
 * fails keeps its error in the result and the others go on.
 */
public final class Comparison {
  /** The ten Fashion-MNIST class prompts, "a photo of a t-shirt" ... "a photo of a ankle boot". */
  public static List<String> classPrompts() {
    return FashionMnistCaptions.CLASS_PROMPT_NAMES.stream().map(n -> "a photo of a " + n).toList();
  }

  /** Where one prompt's images of one seed went, relative to the report folder. */
  public record Sample(String prompt, long seed, String grid, String manifest) {}

  /**
   * One pipeline's row. Scores pool all seeds and prompts; {@code perSeed} has one pooled score per
   * seed, for the spread across sampling seeds. {@code error} is set (and the rest may be empty)
   * when the pipeline failed.
   */
  public record PipelineResult(String pipeline, String error, Map<String, Object> settings, GenerationScorer.SetScore score,
      Map<Long, GenerationScorer.SetScore> perSeed, double loadSeconds, double secondsPerImage, long parameters,
      Double trainingSeconds, TrainingRuns trainingRuns, List<Sample> samples) {}

  public record Result(List<String> prompts, List<Long> seeds, int imagesPerPrompt, List<PipelineResult> pipelines) {}

  private final Components components;
  private final GenerationScorer scorer;

  public Comparison(Components components, GenerationScorer scorer) {
    this.components = components;
    this.scorer = scorer;
  }

  /**
   * @param progress told (prompt-seed runs done, total) over all pipelines, may be null
   */
  public Result run(List<PipelineSpec> specs, List<String> prompts, List<Long> seeds, int imagesPerPrompt, Path outDir,
      GenerationPipeline.Progress progress) {
    Map<String, PipelineSpec> labelled = new LinkedHashMap<>();
    specs.forEach(s -> labelled.put(s.pipeline(), s));
    if (labelled.size() != specs.size()) {
      throw new dev.tessera.api.TesseraException("a pipeline is listed twice; give variants of one pipeline as pipeline files");
    }
    return run(labelled, prompts, seeds, imagesPerPrompt, outDir, progress);
  }

  /**
   * As above, with each spec under a label of its own (variants of one pipeline from pipeline
   * files: "clip-diffusion-classifier-3"); rows and output folders are named by the label.
   */
  public Result run(Map<String, PipelineSpec> contenders, List<String> prompts, List<Long> seeds, int imagesPerPrompt, Path outDir,
      GenerationPipeline.Progress progress) {
    List<String> labels = new ArrayList<>(contenders.keySet());
    List<PipelineSpec> specs = new ArrayList<>(contenders.values());
    long total = (long) specs.size() * prompts.size() * seeds.size();
    long[] done = {0};
    List<PipelineResult> results = new ArrayList<>();
    long perPipeline = (long) prompts.size() * seeds.size();
    for (int i = 0; i < specs.size(); i++) {
      results.add(runOne(labels.get(i), specs.get(i), prompts, seeds, imagesPerPrompt, outDir, () -> {
        done[0]++;
        if (progress != null) {
          progress.update(done[0], total);
        }
      }));
      // A failed pipeline's remaining runs count as done, so the bar still ends at 100%.
      long end = (i + 1) * perPipeline;
      if (done[0] < end && progress != null) {
        done[0] = end;
        progress.update(done[0], total);
      }
    }
    return new Result(prompts, seeds, imagesPerPrompt, results);
  }

  private PipelineResult runOne(String label, PipelineSpec spec, List<String> prompts, List<Long> seeds, int n, Path outDir, Runnable step) {
    List<Sample> samples = new ArrayList<>();
    Map<String, Object> settings = Map.of();
    double load = Double.NaN;
    double generateSeconds = 0;
    int generated = 0;
    long parameters = 0;
    Double trainingSeconds = null;
    TrainingRuns trainingRuns = null;
    Map<Long, Map<String, ImageBatch>> bySeed = new LinkedHashMap<>();
    try {
      long t0 = System.nanoTime();
      try (GenerationPipeline p = Pipelines.open(components, spec)) {
        load = (System.nanoTime() - t0) / 1e9;
        settings = p.settings();
        parameters = p.parameterCount();
        trainingSeconds = p.trainingSeconds();
        trainingRuns = p.trainingRuns();
        for (long seed : seeds) {
          Map<String, ImageBatch> byPrompt = new LinkedHashMap<>();
          for (int i = 0; i < prompts.size(); i++) {
            String prompt = prompts.get(i);
            long t1 = System.nanoTime();
            ImageBatch images = p.generate(prompt, n, seed, null);
            double seconds = (System.nanoTime() - t1) / 1e9;
            generateSeconds += seconds;
            generated += images.count();
            byPrompt.put(prompt, images);
            String dir = String.format(Locale.ROOT, "%s/seed-%d/%02d-%s", label, seed, i, slug(prompt));
            GenerationOutput.write(outDir.resolve(dir), new GenerationOutput.Run(p.name(), prompt, seed, settings,
                spec.weightsDescription(), parameters, load, seconds, p.results(), p.warnings(prompt)), images);
            samples.add(new Sample(prompt, seed, dir + "/grid.png", dir + "/" + GenerationOutput.MANIFEST));
            step.run();
          }
          bySeed.put(seed, byPrompt);
        }
      }
      Map<String, ImageBatch> pooled = new LinkedHashMap<>();
      Map<Long, GenerationScorer.SetScore> perSeed = new LinkedHashMap<>();
      for (Map.Entry<Long, Map<String, ImageBatch>> e : bySeed.entrySet()) {
        perSeed.put(e.getKey(), scorer.scoreAll(e.getValue()));
        e.getValue().forEach((prompt, images) -> pooled.merge(prompt, images, (a, b) -> ImageBatch.stack(List.of(a, b))));
      }
      return new PipelineResult(label, null, settings, scorer.scoreAll(pooled), perSeed, load, generateSeconds / generated,
          parameters, trainingSeconds, trainingRuns, samples);
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      return new PipelineResult(label, message, settings, null, Map.of(), load,
          generated == 0 ? Double.NaN : generateSeconds / generated, parameters, trainingSeconds, trainingRuns, samples);
    }
  }

  static String slug(String prompt) {
    String s = prompt.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    return s.isEmpty() ? "prompt" : s.length() > 40 ? s.substring(0, 40) : s;
  }
}
