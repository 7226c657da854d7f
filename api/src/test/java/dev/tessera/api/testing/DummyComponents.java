package dev.tessera.api.testing;

import dev.tessera.api.TesseraException;
import dev.tessera.api.spi.ComponentLookup;
import dev.tessera.api.spi.Decoder;
import dev.tessera.api.spi.Encoder;
import dev.tessera.api.spi.Guidance;
import dev.tessera.api.spi.Prior;
import dev.tessera.api.spi.Quantizer;
import dev.tessera.api.spi.Tokenizer;
import dev.tessera.api.spi.TrainableModel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A ComponentLookup over the components a test hands it, for models that compose other plugins' parts. */
public final class DummyComponents implements ComponentLookup {
  private final Map<String, Object> byKey = new LinkedHashMap<>();

  public DummyComponents(Object... components) {
    for (Object c : components) {
      add(c);
    }
  }

  public DummyComponents add(Object component) {
    for (Class<?> spi : List.of(Tokenizer.class, Encoder.class, Quantizer.class, Prior.class, Decoder.class, Guidance.class,
        TrainableModel.class)) {
      if (spi.isInstance(component)) {
        byKey.put(spi.getSimpleName() + ":" + name(component), component);
      }
    }
    return this;
  }

  private static String name(Object c) {
    try {
      return (String) c.getClass().getMethod("name").invoke(c);
    } catch (ReflectiveOperationException e) {
      throw new IllegalArgumentException(c + " has no name()", e);
    }
  }

  private <T> T find(Class<T> spi, String name) {
    Object c = byKey.get(spi.getSimpleName() + ":" + name);
    if (c == null) {
      throw new TesseraException("unknown " + spi.getSimpleName().toLowerCase() + " '" + name + "' (test components: " + byKey.keySet() + ")");
    }
    return spi.cast(c);
  }

  public Tokenizer tokenizer(String name) {
    return find(Tokenizer.class, name);
  }

  public Encoder encoder(String name) {
    return find(Encoder.class, name);
  }

  public Quantizer quantizer(String name) {
    return find(Quantizer.class, name);
  }

  public Prior prior(String name) {
    return find(Prior.class, name);
  }

  public Decoder decoder(String name) {
    return find(Decoder.class, name);
  }

  public Guidance guidance(String name) {
    return find(Guidance.class, name);
  }

  public TrainableModel model(String name) {
    return find(TrainableModel.class, name);
  }
}
