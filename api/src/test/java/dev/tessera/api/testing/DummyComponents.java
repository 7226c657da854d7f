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
    if (component instanceof Tokenizer c) {
      byKey.put("Tokenizer:" + c.name(), c);
    }
    if (component instanceof Encoder c) {
      byKey.put("Encoder:" + c.name(), c);
    }
    if (component instanceof Quantizer c) {
      byKey.put("Quantizer:" + c.name(), c);
    }
    if (component instanceof Prior c) {
      byKey.put("Prior:" + c.name(), c);
    }
    if (component instanceof Decoder c) {
      byKey.put("Decoder:" + c.name(), c);
    }
    if (component instanceof Guidance c) {
      byKey.put("Guidance:" + c.name(), c);
    }
    if (component instanceof TrainableModel c) {
      byKey.put("TrainableModel:" + c.name(), c);
    }
    return this;
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
