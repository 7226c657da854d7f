package dev.tessera.runtime.plugin;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.MapBinder;
import java.util.Map;

/**
 * Binds every loaded extension into a Guice {@code MapBinder<String, SPI>} keyed by name, and
 * the {@link Components} facade over them. Only binds: loading happened in {@link PluginRuntime}.
 */
public final class TesseraModule extends AbstractModule {
  private final PluginRuntime plugins;

  public TesseraModule(PluginRuntime plugins) {
    this.plugins = plugins;
  }

  @Override
  protected void configure() {
    bind(PluginRuntime.class).toInstance(plugins);
    bind(dev.tessera.api.spi.Lexicon.class).toProvider(dev.tessera.runtime.data.Lexicons::fromEnvironment).in(com.google.inject.Singleton.class);
    for (Class<?> spi : Spis.ALL.keySet()) {
      bindAll(spi);
    }
  }

  private <T> void bindAll(Class<T> spi) {
    MapBinder<String, T> binder = MapBinder.newMapBinder(binder(), TypeLiteral.get(String.class), TypeLiteral.get(spi));
    for (Map.Entry<String, T> e : plugins.registry(spi).all().entrySet()) {
      binder.addBinding(e.getKey()).toInstance(e.getValue());
    }
  }
}
