package dev.tessera.runtime.plugin;

import dev.tessera.api.pipeline.PipelineProvider;
import dev.tessera.api.sampling.SchedulerProvider;
import dev.tessera.api.spi.Component;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.spi.TrainableModel;
import java.util.LinkedHashMap;
import java.util.Map;

/** The extension points the runtime looks up, with the word used for each in messages. */
public final class Spis {
  private Spis() {}

  public static final Map<Class<?>, String> ALL = new LinkedHashMap<>();

  static {
    ALL.put(Tokenizer.class, "tokenizer");
    ALL.put(Encoder.class, "encoder");
    ALL.put(Quantizer.class, "quantizer");
    ALL.put(Prior.class, "prior");
    ALL.put(Decoder.class, "decoder");
    ALL.put(Guidance.class, "guidance");
    ALL.put(TrainableModel.class, "model");
    ALL.put(PipelineProvider.class, "pipeline");
    ALL.put(SchedulerProvider.class, "scheduler");
  }

  /** The component's name() through its SPI. */
  public static String nameOf(Object extension) {
    if (extension instanceof Component c) {
      return c.name();
    }
    throw new IllegalArgumentException("not a Tessera extension: " + extension.getClass().getName());
  }
}
