package dev.tessera.api.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.api.TesseraException;
import dev.tessera.api.graph.GraphScope;
import dev.tessera.api.io.ModelConfig;
import dev.tessera.api.io.ModelWeights;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.ShippedWeightSets;
import dev.tessera.api.io.TensorData;
import dev.tessera.api.testing.DummyComponents;
import dev.tessera.api.train.TrainingGraph;
import dev.tessera.api.train.TrainingInputs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** "model:variant" references through ComponentLookup.shippedWeights and ShippedWeightSets. */
class ShippedWeightVariantsTest {
  /** Ships a default set (x = 1) and a variant "big" (x = 2), built in memory. */
  static final class TwoSetModel implements TrainableModel {
    @Override
    public String name() {
      return "two";
    }

    @Override
    public ModelConfig defaultConfig() {
      return ModelConfig.empty();
    }

    @Override
    public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
      throw new UnsupportedOperationException();
    }

    private static ModelWeights set(float x) {
      Parameters p = new Parameters("memory");
      p.put("x", TensorData.ofFloats(new long[] {1}, new float[] {x}));
      p.metadata().put("model", "two");
      return new ModelWeights(ModelConfig.empty().with("model", "two"), p);
    }

    @Override
    public ModelWeights shippedWeights() {
      return set(1);
    }

    @Override
    public ModelWeights shippedWeights(String variant) {
      return variant == null ? shippedWeights() : variant.equals("big") ? set(2) : null;
    }

    @Override
    public List<String> weightVariants() {
      return List.of("big");
    }
  }

  /** Ships nothing at all. */
  static final class BareModel implements TrainableModel {
    @Override
    public String name() {
      return "bare";
    }

    @Override
    public ModelConfig defaultConfig() {
      return ModelConfig.empty();
    }

    @Override
    public TrainingGraph buildTraining(GraphScope scope, ModelConfig config, TrainingInputs inputs) {
      throw new UnsupportedOperationException();
    }
  }

  private final DummyComponents components = new DummyComponents(new TwoSetModel(), new BareModel());

  @Test
  void aReferenceNamesTheDefaultOrAVariantAndIsRecordedInTheMetadata() {
    assertEquals(1f, components.shippedWeights("two").parameters().get("x").toFloats()[0]);
    assertEquals("two", components.shippedWeights("two").parameters().metadata().get("model"));
    ModelWeights big = components.shippedWeights("two:big");
    assertEquals(2f, big.parameters().get("x").toFloats()[0]);
    assertEquals("two:big", big.parameters().metadata().get("model"));
  }

  @Test
  void anUnknownVariantListsTheShippedOnesAndAModelWithoutWeightsGivesNull() {
    TesseraException e = assertThrows(TesseraException.class, () -> components.shippedWeights("two:huge"));
    assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains("the default, big"), e.getMessage());
    assertNull(components.shippedWeights("bare"));
    assertThrows(TesseraException.class, () -> components.shippedWeights("bare:big"));
    assertThrows(TesseraException.class, () -> components.shippedWeights("nobody"));
    assertNull(new BareModel().shippedWeights("anything"));
  }

  @Test
  void shippedWeightSetsListsAndGivesOnlySetsInTheJar() {
    // The found path is tested on the real jars (ClipModelTest: clip's twemoji set).
    ShippedWeightSets sets = new ShippedWeightSets(ShippedWeightVariantsTest.class, "no/such/default",
        Map.of("b", "no/such/b", "a", "no/such/a"));
    assertEquals(List.of(), sets.variants(), "variants whose folders are not in the jar are not listed");
    assertNull(sets.get(null));
    assertNull(sets.get(""));
    assertNull(sets.get("a"));
    assertNull(sets.get("c"));
  }
}
