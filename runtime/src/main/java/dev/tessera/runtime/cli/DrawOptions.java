package dev.tessera.runtime.cli;

import dev.tessera.runtime.pipeline.PipelineSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** How each image is drawn, shared by {@code generate} and {@code compare}: candidates and token/latent sampling. */
final class DrawOptions {
  @Option(names = "--candidates", description = "Draw this many candidates per image and keep the one CLIP finds closest to the prompt "
      + "(any pipeline). Default: 1.")
  Integer candidates;

  @Option(names = "--temperature", description = "vqgan-transformer: softmax temperature of each code (0: greedy); clip-vae, clip-gan: "
      + "standard deviation of z (below 1 trades diversity for typical samples). Default: 1.")
  Double temperature;

  @Option(names = "--top-k", description = "vqgan-transformer: draw each code among the k most likely (0: all). Default: 0.")
  Integer topK;

  @Option(names = "--top-p", description = "vqgan-transformer: nucleus sampling, the most likely codes up to this mass (1: all). Default: 1.")
  Double topP;

  @Option(names = "--option", paramLabel = "KEY=VALUE", description = "An option of the pipeline (./tessera pipelines "
      + "lists them), e.g. --option top_k=50; repeatable. Overrides the pipeline file's key of that name.")
  Map<String, String> options;

  /**
   * The spec with the options given on the command line; the others keep the spec's values.
   *
   * @param everyPipeline the options are meant for several pipelines (compare): each pipeline takes
   *     those it declares; otherwise an option the pipeline does not declare is an error
   */
  PipelineSpec applyTo(PipelineSpec s, boolean everyPipeline) {
    if (candidates != null) {
      s = s.withCandidates(candidates);
    }
    Map<String, Object> o = new LinkedHashMap<>();
    if (temperature != null) {
      o.put("temperature", temperature);
    }
    if (topK != null) {
      o.put("top_k", topK);
    }
    if (topP != null) {
      o.put("top_p", topP);
    }
    if (options != null) {
      o.putAll(options);
    }
    return everyPipeline ? s.withOptionsWhereDeclared(o) : s.withOptions(o);
  }
}
