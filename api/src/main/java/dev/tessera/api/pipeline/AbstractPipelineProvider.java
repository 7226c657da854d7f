package dev.tessera.api.pipeline;

import java.util.List;

/**
 * A {@link PipelineProvider} whose name, description and default models are given once to the
 * constructor, so that a provider is its options and its {@code open}.
 */
public abstract class AbstractPipelineProvider implements PipelineProvider {
  private final String name;
  private final String description;
  private final List<String> defaultModels;

  /** @param defaultModels the models whose shipped weights it runs when none is named, in order of preference */
  protected AbstractPipelineProvider(String name, String description, String... defaultModels) {
    this.name = name;
    this.description = description;
    this.defaultModels = List.of(defaultModels);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public List<String> defaultModels() {
    return defaultModels;
  }
}
