package dev.tessera.runtime.pipeline;

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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Damaged pipeline files ({@code --pipeline-file}) with every key set: wrong types and ranges,
 * misspelt, repeated or removed keys, deep nesting, byte damage. An accepted file must be one
 * well-formed JSON object of known keys, and every key it sets must reach the spec unchanged.
 */
class PipelineSpecFuzzTest extends HostileFileTest {
  private static final String VALID = """
      {"pipeline": "vqgan-clip", "model": "vqgan", "weights": "runs/vqgan", "device": "cpu", "scheduler": "ddim",
       "steps": 50, "guidance_scale": 2.5, "eta": 0.0, "batch_size": 4, "prior_weights": "../prior",
       "prior_guidance_scale": 1.5, "candidates": 2, "score_guidance": "clip", "score_guidance_scale": 0.5,
       "temperature": 0.9, "top_k": 50, "top_p": 0.95, "iterations": 100, "learning_rate": 0.1,
       "init_image": "start.png", "save_every": 10, "cutouts": 24, "init_noise": 1.0}
      """;

  /** How each key's value must appear in the spec. */
  private enum Kind { TEXT, PATH, INT, FLOAT, DOUBLE }

  /** A key's kind and where the spec keeps it. */
  private record Field(Kind kind, Function<PipelineSpec, Object> value) {}

  private static final Map<String, Field> FIELDS = new LinkedHashMap<>();

  static {
    FIELDS.put("pipeline", new Field(Kind.TEXT, PipelineSpec::pipeline));
    FIELDS.put("model", new Field(Kind.TEXT, PipelineSpec::model));
    FIELDS.put("weights", new Field(Kind.PATH, PipelineSpec::weights));
    FIELDS.put("device", new Field(Kind.TEXT, PipelineSpec::device));
    FIELDS.put("scheduler", new Field(Kind.TEXT, PipelineSpec::scheduler));
    FIELDS.put("steps", new Field(Kind.INT, PipelineSpec::steps));
    FIELDS.put("guidance_scale", new Field(Kind.FLOAT, PipelineSpec::guidanceScale));
    FIELDS.put("eta", new Field(Kind.DOUBLE, PipelineSpec::eta));
    FIELDS.put("batch_size", new Field(Kind.INT, PipelineSpec::batchSize));
    FIELDS.put("prior_weights", new Field(Kind.PATH, PipelineSpec::priorWeights));
    FIELDS.put("prior_guidance_scale", new Field(Kind.FLOAT, PipelineSpec::priorGuidanceScale));
    FIELDS.put("candidates", new Field(Kind.INT, PipelineSpec::candidates));
    FIELDS.put("score_guidance", new Field(Kind.TEXT, PipelineSpec::scoreGuidance));
    FIELDS.put("score_guidance_scale", new Field(Kind.FLOAT, PipelineSpec::scoreGuidanceScale));
    FIELDS.put("temperature", new Field(Kind.DOUBLE, s -> s.tokens().temperature()));
    FIELDS.put("top_k", new Field(Kind.INT, s -> s.tokens().topK()));
    FIELDS.put("top_p", new Field(Kind.DOUBLE, s -> s.tokens().topP()));
    FIELDS.put("iterations", new Field(Kind.INT, s -> s.optimisation().iterations()));
    FIELDS.put("learning_rate", new Field(Kind.DOUBLE, s -> s.optimisation().learningRate()));
    FIELDS.put("init_image", new Field(Kind.PATH, s -> s.optimisation().initImage()));
    FIELDS.put("save_every", new Field(Kind.INT, s -> s.optimisation().saveEvery()));
    FIELDS.put("cutouts", new Field(Kind.INT, s -> s.optimisation().cutouts()));
    FIELDS.put("init_noise", new Field(Kind.DOUBLE, s -> s.optimisation().initNoise()));
  }

  @Override
  protected int cases() {
    return 100;
  }

  @Override
  protected FuzzTarget<?> target(Path dir) {
    Path file = dir.resolve("pipeline.json");
    return new MutationTarget("pipeline JSON", file.toString(), TesseraException.class, VALID.getBytes(StandardCharsets.UTF_8),
        PipelineSpecFuzzTest::damage, damaged -> {
          Files.write(file, damaged.bytes());
          PipelineSpec spec = PipelineSpec.read(file);
          assertAsTheFileSays(file, StrictJson.parse(damaged.bytes()), spec);
        });
  }

  private static Mutation damage(SplittableRandom random) {
    int pick = random.nextInt(100);
    Mutation m;
    if (pick < 25) {
      m = ByteMutations.any(VALID.getBytes(StandardCharsets.UTF_8), random);
    } else if (pick < 35) {
      String key = FIELDS.keySet().stream().skip(random.nextInt(FIELDS.size())).findFirst().orElseThrow();
      String typo = key.substring(1) + key.charAt(0);
      m = new Mutation("key '" + key + "' misspelt '" + typo + "'",
          VALID.replace("\"" + key + "\"", "\"" + typo + "\"").getBytes(StandardCharsets.UTF_8));
    } else {
      m = JsonMutations.any(VALID, random);
    }
    return random.nextInt(6) == 0 ? m.then(b -> ByteMutations.any(b, random)) : m;
  }

  /** Every key the file sets reaches the spec with its value; numbers that do not fit are refused. */
  private static void assertAsTheFileSays(Path file, JsonNode json, PipelineSpec spec) {
    json.fieldNames().forEachRemaining(key -> {
      if (!FIELDS.containsKey(key)) {
        throw new AssertionError("accepted the unknown key '" + key + "'");
      }
    });
    for (Map.Entry<String, Field> f : FIELDS.entrySet()) {
      JsonNode v = json.get(f.getKey());
      if (v == null || v.isNull()) {
        continue; // absent: the default, checked by PipelineSpecTest
      }
      Object expected = switch (f.getValue().kind()) {
        case TEXT -> v.isTextual() ? v.textValue() : null;
        case PATH -> v.isTextual() ? file.toAbsolutePath().getParent().resolve(v.textValue()).normalize() : null;
        case INT -> v.isIntegralNumber() && v.canConvertToInt() ? v.intValue() : null;
        case FLOAT -> v.isNumber() && Float.isFinite((float) v.doubleValue()) ? (float) v.doubleValue() : null;
        case DOUBLE -> v.isNumber() && Double.isFinite(v.doubleValue()) ? v.doubleValue() : null;
      };
      Object read = f.getValue().value().apply(spec);
      if (expected == null) {
        throw new AssertionError("'" + f.getKey() + "' = " + JsonMutations.abbreviate(v.toString()) + " read as " + read
            + " instead of being refused");
      }
      assertEquals(expected, read, "'" + f.getKey() + "'");
    }
  }
}
