package dev.tessera.api.pipeline;

import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.options.Options;
import dev.tessera.api.spi.ComponentLookup;

/**
 * What the runtime hands a {@link PipelineProvider}: every loaded component by name, the weights
 * it runs (frozen tensors of other models already filled in; null for a pipeline that needs none),
 * which model they are and why, its checked options, the device ({@code cpu}, {@code gpu:N}) and
 * the images per session run.
 */
public record PipelineContext(String name, ComponentLookup components, ModelWeights weights, String model, String modelChoice,
    Options options, String device, int batchSize) {}
