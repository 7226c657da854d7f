package dev.tessera.runtime.bench;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.types.ImageBatch;
import dev.tessera.runtime.compare.Comparison;
import dev.tessera.runtime.evaluation.GenerationScorer;
import dev.tessera.api.pipeline.GenerationPipeline;
import dev.tessera.runtime.pipeline.PipelineSpec;
import dev.tessera.runtime.pipeline.Pipelines;
import dev.tessera.runtime.plugin.Components;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Few-step against many-step sampling of one diffusion model, in one run: the same prompts, seeds
 * and model under two schedulers (DDIM at 50 steps, DDPM at 1000 by default), timed, and scored
 * with the same evaluator at the same n (FID against the prompted classes' test images, and
 * conditional accuracy).
 */
public final class SchedulerBenchmark {
  /** One scheduler's run: total generation seconds and the pooled scores of its images. */
  public record Run(String scheduler, int steps, double seconds, GenerationScorer.SetScore score) {}

  private SchedulerBenchmark() {}

  /**
   * @param imagesPerPrompt images per class prompt (ten prompts)
   */
  public static List<Run> run(Components components, PipelineSpec base, GenerationScorer scorer, List<String> schedulers, List<Integer> steps,
      int imagesPerPrompt, long seed, GenerationPipeline.Progress progress) {
    List<String> prompts = Comparison.classPrompts();
    List<Run> runs = new java.util.ArrayList<>();
    long total = (long) prompts.size() * schedulers.size();
    long done = 0;
    for (int i = 0; i < schedulers.size(); i++) {
      PipelineSpec spec = base.withOptions(java.util.Map.of("scheduler", schedulers.get(i), "steps", steps.get(i)));
      Map<String, ImageBatch> images = new LinkedHashMap<>();
      double seconds = 0;
      try (GenerationPipeline p = Pipelines.open(components, spec)) {
        for (String prompt : prompts) {
          long t0 = System.nanoTime();
          images.put(prompt, p.generate(prompt, imagesPerPrompt, seed, null));
          seconds += (System.nanoTime() - t0) / 1e9;
          if (progress != null) {
            progress.update(++done, total);
          }
        }
      }
      runs.add(new Run(schedulers.get(i), steps.get(i), seconds, scorer.scoreAll(images)));
    }
    return runs;
  }

  /** The evaluator's and CLIP's shipped weights, as compare uses them. */
  public static GenerationScorer scorer(Components components, String device) {
    ModelWeights evaluator = components.shippedWeights("fashion-classifier");
    if (evaluator == null) {
      throw new dev.tessera.api.TesseraException("the scheduler benchmark scores with model 'fashion-classifier', which ships no weights");
    }
    return new GenerationScorer(components, evaluator, null, device, 0);
  }
}
