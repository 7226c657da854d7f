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
import dev.tessera.api.options.OptionSpec;
import dev.tessera.api.options.Options;
import dev.tessera.api.pipeline.PipelineOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Damaged pipeline files ({@code --pipeline-file}) with every key set: wrong types and ranges,
 * misspelt, repeated or removed keys, deep nesting, byte damage. The file is read as {@code
 * generate} reads it: the shared keys into the spec, the others checked against a pipeline's
 * declared options (here every option the shipped pipelines declare). An accepted file must be one
 * well-formed JSON object of known keys, and every key it sets must arrive unchanged.
 */
class PipelineSpecFuzzTest extends HostileFileTest {
  private static final String VALID = """
      {"pipeline": "vqgan-clip", "model": "vqgan", "weights": "runs/vqgan", "device": "cpu", "scheduler": "ddim",
       "steps": 50, "guidance_scale": 2.5, "eta": 0.0, "batch_size": 4, "prior_weights": "../prior",
       "prior_guidance_scale": 1.5, "candidates": 2, "score_guidance": "clip", "score_guidance_scale": 0.5,
       "temperature": 0.9, "top_k": 50, "top_p": 0.95, "iterations": 100, "learning_rate": 0.1,
       "init_image": "start.png", "save_every": 10, "cutouts": 24, "init_noise": 1.0}
      """;

  /** How each key's value must appear in the spec or the options. */
  private enum Kind { TEXT, PATH, INT, LONG, DOUBLE }

  /** A key's kind and where it is kept. */
  private record Field(Kind kind, Function<Read, Object> value) {}

  /** What a file gives: the spec and the pipeline's options. */
  private record Read(PipelineSpec spec, Options options) {}

  private static final Map<String, Field> FIELDS = new LinkedHashMap<>();

  /** Every option of the shipped pipelines, as they declare them. */
  private static final List<OptionSpec> DECLARED = List.of(PipelineOptions.scheduler("ddim"), PipelineOptions.steps(50),
      PipelineOptions.guidanceScale(2), PipelineOptions.eta(), OptionSpec.path("prior_weights", "prior"),
      OptionSpec.number(PipelineOptions.PRIOR_GUIDANCE_SCALE, 1), PipelineOptions.scoreGuidance("clip"), PipelineOptions.scoreGuidanceScale(0),
      PipelineOptions.temperature(1), OptionSpec.integer(PipelineOptions.TOP_K, 0), OptionSpec.number(PipelineOptions.TOP_P, 1),
      OptionSpec.integer(PipelineOptions.ITERATIONS, 100), OptionSpec.number(PipelineOptions.LEARNING_RATE, 0.1), OptionSpec.path("init_image", "i"),
      OptionSpec.integer(PipelineOptions.SAVE_EVERY, 0), OptionSpec.integer(PipelineOptions.CUTOUTS, 24), OptionSpec.number(PipelineOptions.INIT_NOISE, 0.3));

  private static void option(String key, Kind kind) {
    FIELDS.put(key, new Field(kind, r -> switch (kind) {
      case TEXT -> r.options().getString(key);
      case PATH -> r.options().getPath(key);
      case LONG -> r.options().getLong(key);
      default -> r.options().getDouble(key);
    }));
  }

  static {
    FIELDS.put("pipeline", new Field(Kind.TEXT, r -> r.spec().pipeline()));
    FIELDS.put("model", new Field(Kind.TEXT, r -> r.spec().model()));
    FIELDS.put("weights", new Field(Kind.PATH, r -> r.spec().weights()));
    FIELDS.put("device", new Field(Kind.TEXT, r -> r.spec().device()));
    FIELDS.put("batch_size", new Field(Kind.INT, r -> r.spec().batchSize()));
    FIELDS.put("candidates", new Field(Kind.INT, r -> r.spec().candidates()));
    option("scheduler", Kind.TEXT);
    option("steps", Kind.LONG);
    option("guidance_scale", Kind.DOUBLE);
    option("eta", Kind.DOUBLE);
    option("prior_weights", Kind.PATH);
    option("prior_guidance_scale", Kind.DOUBLE);
    option("score_guidance", Kind.TEXT);
    option("score_guidance_scale", Kind.DOUBLE);
    option("temperature", Kind.DOUBLE);
    option("top_k", Kind.LONG);
    option("top_p", Kind.DOUBLE);
    option("iterations", Kind.LONG);
    option("learning_rate", Kind.DOUBLE);
    option("init_image", Kind.PATH);
    option("save_every", Kind.LONG);
    option("cutouts", Kind.LONG);
    option("init_noise", Kind.DOUBLE);
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
          Read read = new Read(spec, Options.of("pipeline '" + spec.pipeline() + "'", DECLARED, spec.options()));
          assertAsTheFileSays(file, StrictJson.parse(damaged.bytes()), read);
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
  private static void assertAsTheFileSays(Path file, JsonNode json, Read spec) {
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
        case LONG -> v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 1e15
            ? (long) v.doubleValue() : null;
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
