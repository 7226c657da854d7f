package dev.tessera.api.train;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.ComponentLookup;

/**
 * What a model builds its training graph with: where, with which hyper-parameters, on which
 * inputs, and the other plugins' components it may compose (their pretrained weights are loaded
 * through {@link TrainingGraph#pretrained()}).
 */
public record TrainingContext(GraphScope scope, ModelConfig config, TrainingInputs inputs, ComponentLookup components) {}
