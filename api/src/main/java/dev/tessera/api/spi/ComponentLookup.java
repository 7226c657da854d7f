package dev.tessera.api.spi;

/**
 * The components of every loaded plugin, by name: how one plugin's model uses another plugin's
 * parts (a diffusion model conditioned by the CLIP text encoder, VQGAN reusing the VQ-VAE
 * quantizer) through the SPIs, without depending on its classes. Unknown names fail with the list
 * of known ones.
 */
public interface ComponentLookup {
  Tokenizer tokenizer(String name);

  Encoder encoder(String name);

  Quantizer quantizer(String name);

  Prior prior(String name);

  Decoder decoder(String name);

  Guidance guidance(String name);

  TrainableModel model(String name);

  /** Whether a model of that name is loaded (without failing when it is not). */
  default boolean hasModel(String name) {
    try {
      model(name);
      return true;
    } catch (dev.tessera.api.TesseraException e) {
      return false;
    }
  }

  /** A scheduler a plugin brings ({@code --scheduler NAME}); the built-in ones are {@code Schedulers}'. */
  default dev.tessera.api.sampling.SchedulerProvider scheduler(String name) {
    throw new dev.tessera.api.TesseraException("unknown scheduler '" + name + "' (known: "
        + String.join(", ", dev.tessera.api.sampling.Schedulers.NAMES) + ")");
  }

  /**
   * The dictionary prompts' unknown words are read through ({@link dev.tessera.api.pipeline.UnknownWordReading});
   * {@link Lexicon#NONE} by default.
   */
  default Lexicon lexicon() {
    return Lexicon.NONE;
  }

  /**
   * The shipped weights a reference names ({@code "clip"}, {@code "clip:twemoji"}, see
   * {@link dev.tessera.api.io.WeightsReference}), or null when the model ships no default weights.
   * A variant the model does not ship is an error listing the ones it does. The parameters'
   * "model" metadata is set to the reference, so what a model was built on is recorded with its
   * variant.
   */
  default dev.tessera.api.io.ModelWeights shippedWeights(String reference) {
    dev.tessera.api.io.WeightsReference r = dev.tessera.api.io.WeightsReference.parse(reference);
    TrainableModel m = model(r.model());
    dev.tessera.api.io.ModelWeights w = m.shippedWeights(r.variant());
    if (w == null && r.variant() != null) {
      throw new dev.tessera.api.TesseraException("model '" + r.model() + "' ships no weights '" + r.variant() + "' (it ships: "
          + String.join(", ", java.util.stream.Stream.concat(java.util.stream.Stream.of("the default"), m.weightVariants().stream()).toList()) + ")");
    }
    if (w != null && r.variant() != null) {
      w.parameters().metadata().put("model", r.toString());
    }
    return w;
  }
}
