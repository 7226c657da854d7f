package dev.tessera.api.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tessera.api.TesseraException;
import dev.tessera.api.testing.ByteMutations;
import dev.tessera.api.testing.FuzzTarget;
import dev.tessera.api.testing.HostileFileTest;
import dev.tessera.api.testing.JsonMutations;
import dev.tessera.api.testing.Mutation;
import dev.tessera.api.testing.MutationTarget;
import dev.tessera.api.testing.StrictJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Damaged config.json files, read the way a model reads its config: every key through its typed
 * getter. An accepted file must be one well-formed JSON object, and every getter must return the
 * file's value or refuse it (a wrong type, a fraction for an integer, a number out of range).
 */
class ModelConfigFuzzTest extends HostileFileTest {
  /** A config like the shipped ones: names, sizes, rates, a flag and a nested part. */
  static final ModelConfig VALID = ModelConfig.empty()
      .with("model", "vqvae").with("scope", "vqvae").with("image_size", 28).with("channels", 1).with("hidden", 64)
      .with("learning_rate", 2.0e-4).with("commitment", 0.25).with("ema", true).with("seed", 1234567890123L)
      .with("text_encoder", ModelConfig.empty().with("model", "clip").with("width", 64).with("layers", 2).with("dropout", 0.1));

  /** How the model reads each key. */
  private enum Getter { STRING, INT, POSITIVE_INT, LONG, DOUBLE, BOOLEAN }

  /** A key and how the model reads it. */
  private record Key(String name, Getter getter) {}

  private static final List<Key> KEYS = List.of(new Key("model", Getter.STRING), new Key("scope", Getter.STRING),
      new Key("image_size", Getter.POSITIVE_INT), new Key("channels", Getter.POSITIVE_INT), new Key("hidden", Getter.INT),
      new Key("learning_rate", Getter.DOUBLE), new Key("commitment", Getter.DOUBLE), new Key("ema", Getter.BOOLEAN),
      new Key("seed", Getter.LONG));

  private static final List<Key> NESTED_KEYS = List.of(new Key("model", Getter.STRING), new Key("width", Getter.POSITIVE_INT),
      new Key("layers", Getter.INT), new Key("dropout", Getter.DOUBLE));

  @Override
  protected int cases() {
    return 150;
  }

  @Override
  protected FuzzTarget<?> target(Path dir) {
    Path file = dir.resolve("config.json");
    return new MutationTarget("config.json", file.toString(), TesseraException.class, VALID.toJson().getBytes(StandardCharsets.UTF_8),
        random -> damage(VALID.toJson(), random), damaged -> {
          Files.write(file, damaged.bytes());
          readLikeAModel(ModelConfig.read(file), damaged.bytes());
        });
  }

  /** JSON damage or byte damage, sometimes both. */
  static Mutation damage(String valid, SplittableRandom random) {
    Mutation m = random.nextInt(3) == 0 ? ByteMutations.any(valid.getBytes(StandardCharsets.UTF_8), random)
        : JsonMutations.any(valid, random);
    return random.nextInt(6) == 0 ? m.then(b -> ByteMutations.any(b, random)) : m;
  }

  private static void readLikeAModel(ModelConfig config, byte[] bytes) {
    JsonNode reference = StrictJson.parse(bytes);
    check(config, reference, KEYS);
    ModelConfig nested = config.section("text_encoder");
    JsonNode nestedReference = reference.get("text_encoder");
    if (nested != null) {
      check(nested, nestedReference, NESTED_KEYS);
    } else if (nestedReference != null && !nestedReference.isNull()) {
      throw new AssertionError("'text_encoder' = " + nestedReference + " read as absent");
    }
  }

  /** Each getter returns the file's value, or refuses it when the value does not fit the getter. */
  private static void check(ModelConfig config, JsonNode reference, List<Key> keys) {
    for (Key k : keys) {
      String key = k.name();
      JsonNode v = reference.get(key);
      Object read = read(config, key, k.getter()); // a refusal propagates: a TesseraException ends the case
      Object expected = expected(v, k.getter());
      if (expected == null) {
        throw new AssertionError("'" + key + "' = " + JsonMutations.abbreviate(String.valueOf(v)) + " read as " + read
            + " instead of being refused");
      }
      assertEquals(expected, read, "'" + key + "'");
    }
  }

  private static Object read(ModelConfig c, String key, Getter getter) {
    return switch (getter) {
      case STRING -> c.getString(key, "default");
      case INT -> c.getInt(key, -7);
      case POSITIVE_INT -> c.getPositiveInt(key, 7);
      case LONG -> c.getLong(key, -7L);
      case DOUBLE -> c.getDouble(key, -7.5);
      case BOOLEAN -> c.getBoolean(key, false);
    };
  }

  /** The value a correct getter returns for {@code v}, or null when it must refuse it. */
  private static Object expected(JsonNode v, Getter getter) {
    if (v == null || v.isNull()) {
      return read(ModelConfig.empty(), "absent", getter);
    }
    return switch (getter) {
      case STRING -> v.isTextual() ? v.textValue() : null;
      case INT -> v.isIntegralNumber() && v.canConvertToInt() ? v.intValue() : null;
      case POSITIVE_INT -> v.isIntegralNumber() && v.canConvertToInt() && v.intValue() > 0 ? v.intValue() : null;
      case LONG -> v.isIntegralNumber() && v.canConvertToLong() ? v.longValue() : null;
      case DOUBLE -> v.isNumber() && Double.isFinite(v.doubleValue()) ? v.doubleValue() : null;
      case BOOLEAN -> v.isBoolean() ? v.booleanValue() : null;
    };
  }
}
