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

  @Option(names = "--option", paramLabel = "KEY=VALUE", description = "An option of a pipeline a plugin brings (./tessera pipelines "
      + "lists them), e.g. --option strength=0.5; repeatable. Overrides the pipeline file's key of that name.")
  Map<String, String> options;

  /** The spec with the options given on the command line; the others keep the spec's values. */
  PipelineSpec applyTo(PipelineSpec s) {
    if (options != null) {
      Map<String, Object> merged = new LinkedHashMap<>(s.options());
      merged.putAll(options);
      s = s.withOptions(merged);
    }
    if (candidates != null) {
      s = s.withCandidates(candidates);
    }
    if (temperature != null || topK != null || topP != null) {
      PipelineSpec.TokenOptions t = s.tokens();
      s = s.withTokens(new PipelineSpec.TokenOptions(temperature != null ? temperature : t.temperature(), topK != null ? topK : t.topK(),
          topP != null ? topP : t.topP()));
    }
    return s;
  }
}
