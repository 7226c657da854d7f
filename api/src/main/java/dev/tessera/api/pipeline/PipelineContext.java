package dev.tessera.api.pipeline;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.options.Options;
import dev.tessera.api.spi.ComponentLookup;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the runtime hands a {@link PipelineProvider}: every loaded component by name, the weights
 * it runs (frozen tensors of other models already filled in; null for a pipeline that needs none),
 * which model they are and why, its checked options, the device ({@code cpu}, {@code gpu:N}) and
 * the images per session run.
 *
 * @param weightsFolder the folder the user named with {@code --weights} (null: shipped weights),
 *     for pipelines that run several weight sets from one folder (dalle2's prior/ and decoder/)
 * @param outputDir the folder {@code generate} writes to, for files a pipeline writes while it runs
 *     (vqgan-clip's frames); null when the images are not written to a folder
 */
public record PipelineContext(String name, ComponentLookup components, ModelWeights weights, String model, String modelChoice,
    Options options, String device, int batchSize, Path weightsFolder, Path outputDir) {
  public PipelineContext {
    PipelineOptions.BATCH_SIZE.checkInt(batchSize);
  }

  /** The model and why it was chosen, as a manifest records them ("model", "model_choice"). */
  public Map<String, Object> modelSettings() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", model);
    s.put("model_choice", modelChoice);
    return s;
  }
}
