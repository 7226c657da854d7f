package dev.tessera.runtime.plugin;

import com.google.inject.Guice;
import com.google.inject.Inject;
import dev.tessera.api.pipeline.PipelineProvider;
import dev.tessera.api.sampling.SchedulerProvider;
import dev.tessera.api.sampling.Schedulers;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.spi.TrainableModel;
import java.util.List;
import java.util.Map;

/**
 * Every component by kind and name, as Guice injected them. Pipelines pick their parts here:
 * {@code components.encoder("vqvae")}. Unknown names fail with the list of known ones.
 */
public final class Components implements dev.tessera.api.spi.ComponentLookup {
  private final PluginRuntime plugins;
  private final Registry<Tokenizer> tokenizers;
  private final Registry<Encoder> encoders;
  private final Registry<Quantizer> quantizers;
  private final Registry<Prior> priors;
  private final Registry<Decoder> decoders;
  private final Registry<Guidance> guidances;
  private final Registry<TrainableModel> models;
  private final Registry<PipelineProvider> pipelines;
  private final Registry<SchedulerProvider> schedulers;
  private final dev.tessera.api.spi.Lexicon lexicon;

  @Inject
  public Components(
      PluginRuntime plugins,
      Map<String, Tokenizer> tokenizers,
      Map<String, Encoder> encoders,
      Map<String, Quantizer> quantizers,
      Map<String, Prior> priors,
      Map<String, Decoder> decoders,
      Map<String, Guidance> guidances,
      Map<String, TrainableModel> models,
      Map<String, PipelineProvider> pipelines,
      Map<String, SchedulerProvider> schedulers,
      dev.tessera.api.spi.Lexicon lexicon) {
    this.plugins = plugins;
    this.tokenizers = plugins.registry(Tokenizer.class);
    this.encoders = withBound(plugins.registry(Encoder.class), encoders);
    this.quantizers = withBound(plugins.registry(Quantizer.class), quantizers);
    this.priors = withBound(plugins.registry(Prior.class), priors);
    this.decoders = withBound(plugins.registry(Decoder.class), decoders);
    this.guidances = withBound(plugins.registry(Guidance.class), guidances);
    this.models = withBound(plugins.registry(TrainableModel.class), models);
    this.pipelines = withBound(plugins.registry(PipelineProvider.class), pipelines);
    this.schedulers = withBound(plugins.registry(SchedulerProvider.class), schedulers);
    withBound(this.tokenizers, tokenizers);
    this.lexicon = lexicon;
  }

  /** Loads the plugins folder and wires everything with Guice. */
  public static Components create(PluginRuntime plugins) {
    try {
      return Guice.createInjector(new TesseraModule(plugins)).getInstance(Components.class);
    } catch (com.google.inject.ProvisionException e) {
      // A binding's own one-line error (a bad TESSERA_LEXICON) rather than Guice's report around it.
      for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
        if (c instanceof dev.tessera.api.TesseraException t) {
          throw t;
        }
      }
      throw e;
    }
  }

  // The registries carry conflict information the plain maps lack; the maps are what Guice bound.
  private static <T> Registry<T> withBound(Registry<T> registry, Map<String, T> bound) {
    if (!registry.all().keySet().equals(bound.keySet())) {
      throw new IllegalStateException("Guice bindings differ from the plugin registry for " + registry.kind());
    }
    return registry;
  }

  public PluginRuntime plugins() {
    return plugins;
  }

  @Override
  public Tokenizer tokenizer(String name) {
    return tokenizers.get(name);
  }

  @Override
  public Encoder encoder(String name) {
    return encoders.get(name);
  }

  @Override
  public Quantizer quantizer(String name) {
    return quantizers.get(name);
  }

  @Override
  public Prior prior(String name) {
    return priors.get(name);
  }

  @Override
  public Decoder decoder(String name) {
    return decoders.get(name);
  }

  @Override
  public Guidance guidance(String name) {
    return guidances.get(name);
  }

  @Override
  public TrainableModel model(String name) {
    return models.get(name);
  }

  /** Every guidance the plugins register, by name. */
  public Map<String, Guidance> guidances() {
    return guidances.all();
  }

  public Registry<TrainableModel> models() {
    return models;
  }

  @Override
  public SchedulerProvider scheduler(String name) {
    if (!schedulers.has(name)) {
      List<String> known = new java.util.ArrayList<>(Schedulers.NAMES);
      known.addAll(schedulers.all().keySet());
      throw new dev.tessera.api.TesseraException("unknown scheduler '" + name + "' (known: " + String.join(", ", known) + ")");
    }
    return schedulers.get(name);
  }

  /** The lexicon prompts' unknown words are read through ({@code TESSERA_LEXICON}; WordNet when installed). */
  @Override
  public dev.tessera.api.spi.Lexicon lexicon() {
    return lexicon;
  }

  /** The schedulers plugins bring, beside {@code Schedulers}' built-in ones. */
  public Registry<SchedulerProvider> schedulers() {
    return schedulers;
  }

  /** The pipelines plugins bring ({@code generate --pipeline NAME}), beside the runtime's own. */
  public Registry<PipelineProvider> pipelines() {
    return pipelines;
  }
}
