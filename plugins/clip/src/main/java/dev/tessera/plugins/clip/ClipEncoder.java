package dev.tessera.plugins.clip;

import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.spi.Encoder;
import org.pf4j.Extension;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Both CLIP towers behind the Encoder SPI: images and prompts to unit-length embeddings in one
 * joint space. Builds under the scope it is given ({@code <scope>.vision.*}, {@code <scope>.text.*}),
 * so a caller passes the model's scope (for example {@code clip}).
 */
@Extension
public class ClipEncoder implements Encoder {
  @Override
  public String name() {
    return "clip";
  }

  @Override
  public String description() {
    return "CLIP image (ViT) and text (transformer) encoders, unit-length embeddings";
  }

  @Override
  public Operand<TFloat32> encodeImages(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    return ClipVisionTower.build(scope.child("vision"), ClipConfig.from(config), images);
  }

  /** The vision transformer's tokens after each block (a perceptual-loss feature stack, e.g. for VQGAN). */
  @Override
  public java.util.List<Operand<TFloat32>> imageFeatures(GraphScope scope, ModelConfig config, Operand<TFloat32> images) {
    return ClipVisionTower.features(scope.child("vision"), ClipConfig.from(config), images);
  }

  @Override
  public Operand<TFloat32> encodeText(GraphScope scope, ModelConfig config, Operand<TInt32> tokens) {
    return ClipTextTower.build(scope.child("text"), ClipConfig.from(config), tokens);
  }

  @Override
  public TextStates encodeTextStates(GraphScope scope, ModelConfig config, Operand<TInt32> tokens) {
    return ClipTextTower.buildStates(scope.child("text"), ClipConfig.from(config), tokens);
  }

  /** The config's "vocabulary" (ids with a row of their own; every other id shares row 0), or every id without one. */
  @Override
  public java.util.function.IntPredicate knownTokens(ModelConfig config) {
    int[] vocabulary = ClipConfig.from(config).vocabulary();
    if (vocabulary == null) {
      return id -> id >= 0 && id < ClipConfig.FULL_VOCABULARY;
    }
    java.util.BitSet ids = new java.util.BitSet();
    for (int id : vocabulary) {
      ids.set(id);
    }
    return ids::get;
  }
}
