package dev.tessera.runtime.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import dev.tessera.api.options.OptionSpec;
import dev.tessera.runtime.embed.PipelineRequest;
import dev.tessera.runtime.embed.Tessera;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One generation a client asks for, checked before it is queued:
 *
 * <pre>{"pipeline": "clip-diffusion", "prompt": "a photo of a bag", "count": 4, "seed": 1,
 *  "options": {"scheduler": "dpm-solver++", "steps": 20}}</pre>
 *
 * "pipeline" may also be a pipeline file's content ({@code {"pipeline": "clip-diffusion", "steps": 20}}),
 * whose keys are options like those of "options" (which win). Everything a request can name is
 * checked here, with the field at fault in the error: the server's limits, then the pipeline's own
 * option checks ({@link PipelineRequest#spec}). Requests never name files: "weights", "device",
 * options of type path and text that looks like a path are refused.
 *
 * @param options the pipeline's options, sorted by key (so equal settings share a warm pipeline)
 */
record JobRequest(String pipeline, String prompt, int count, long seed, Map<String, Object> options) {
  private static final Set<String> FIELDS = Set.of("pipeline", "prompt", "count", "seed", "options");
  private static final Set<String> REFUSED = Set.of("weights", "device");
  /** Keys every pipeline takes besides its own options (PipelineSpec's shared keys a request may set). */
  private static final Set<String> SHARED = Set.of("model", "batch_size", "candidates");
  private static final int MAX_BATCH_SIZE = 64;
  private static final int MAX_CANDIDATES = 8;
  static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** The settings that decide which built pipeline serves the request. */
  String pipelineKey() {
    return pipeline + " " + options;
  }

  /** The request as the facade builds it (the same images as {@code generate} for these settings). */
  PipelineRequest toPipelineRequest(Tessera tessera) {
    PipelineRequest r = tessera.pipeline(pipeline);
    for (Map.Entry<String, Object> e : options.entrySet()) {
      r = r.option(e.getKey(), e.getValue());
    }
    return r;
  }

  /** Parses and checks a request body; every refusal is a {@link BadRequest} naming the field. */
  static JobRequest parse(String body, ServerSettings limits, Tessera tessera) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      String why = e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*|\\s*at \\[Source:.*", "").strip();
      throw BadRequest.field(null, "the body is not valid JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
          + at.getColumnNr() + ")") + ": " + (why.length() > 200 ? why.substring(0, 200) + "..." : why));
    }
    if (root == null || !root.isObject()) {
      throw BadRequest.field(null, "the body must be a JSON object with \"pipeline\" and \"prompt\"");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw BadRequest.field(f, "unknown field '" + f + "' (known: count, options, pipeline, prompt, seed)");
      }
    }
    Map<String, Object> options = new TreeMap<>();
    JsonNode p = root.get("pipeline");
    String name;
    if (p == null || p.isNull()) {
      throw BadRequest.field("pipeline", "'pipeline' is missing: a pipeline name (GET /v1/pipelines lists them) or a pipeline file's content");
    } else if (p.isTextual()) {
      name = p.asText();
    } else if (p.isObject()) {
      JsonNode n = p.get("pipeline");
      if (n == null || !n.isTextual()) {
        throw BadRequest.field("pipeline.pipeline", "a pipeline file's content needs \"pipeline\": the pipeline's name");
      }
      name = n.asText();
      readOptions(p, "pipeline", options, true);
    } else {
      throw BadRequest.field("pipeline", "'pipeline' must be a name or an object, got " + kind(p));
    }
    if (!tessera.components().pipelines().has(name)) {
      throw BadRequest.field("pipeline", "unknown pipeline '" + name + "' (known: " + String.join(", ",
          new java.util.TreeSet<>(tessera.components().pipelines().all().keySet())) + ")");
    }
    JsonNode o = root.get("options");
    if (o != null && !o.isNull()) {
      if (!o.isObject()) {
        throw BadRequest.field("options", "'options' must be an object of option names to values, got " + kind(o));
      }
      readOptions(o, "options", options, false);
    }
    String prompt = text(root, "prompt");
    if (prompt.isBlank()) {
      throw BadRequest.field("prompt", "'prompt' is empty");
    }
    if (prompt.length() > limits.maxPromptChars()) {
      throw BadRequest.field("prompt", "'prompt' has " + prompt.length() + " characters; this server takes at most " + limits.maxPromptChars());
    }
    int count = (int) integer(root, "count", 1, 1, limits.maxCount());
    long seed = integer(root, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
    checkLimits(options, limits);
    checkOptions(name, options, tessera);
    JobRequest request = new JobRequest(name, prompt, count, seed, options);
    try {
      request.toPipelineRequest(tessera).spec();
    } catch (TesseraException e) {
      throw BadRequest.field("options", e.getMessage());
    }
    return request;
  }

  private static void readOptions(JsonNode object, String where, Map<String, Object> into, boolean skipPipeline) {
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      if (skipPipeline && key.equals("pipeline")) {
        continue;
      }
      String field = where + "." + key;
      if (REFUSED.contains(key)) {
        throw BadRequest.field(field, "'" + key + "' cannot be set by a request (the server decides which files and device it uses)");
      }
      JsonNode v = e.getValue();
      Object value;
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        value = v.asLong();
      } else if (v.isNumber()) {
        double d = v.asDouble();
        if (!Double.isFinite(d)) {
          throw BadRequest.field(field, "'" + key + "' must be a finite number");
        }
        value = d;
      } else if (v.isTextual()) {
        value = v.asText();
      } else if (v.isBoolean()) {
        value = v.asBoolean();
      } else {
        throw BadRequest.field(field, "'" + key + "' must be a number, text or true/false, got " + kind(v));
      }
      into.put(key, value);
    }
  }

  private static void checkLimits(Map<String, Object> options, ServerSettings limits) {
    for (String key : new String[] {"steps", "iterations"}) {
      Object v = options.get(key);
      if (v instanceof Number n && n.doubleValue() > limits.maxSteps()) {
        throw BadRequest.field("options." + key, "'" + key + "' is " + v + "; this server allows at most " + limits.maxSteps());
      }
    }
    if (options.get("batch_size") instanceof Number n && n.doubleValue() > MAX_BATCH_SIZE) {
      throw BadRequest.field("options.batch_size", "'batch_size' is " + n + "; this server allows at most " + MAX_BATCH_SIZE);
    }
    if (options.get("candidates") instanceof Number n && n.doubleValue() > MAX_CANDIDATES) {
      throw BadRequest.field("options.candidates", "'candidates' is " + n + "; this server allows at most " + MAX_CANDIDATES);
    }
  }

  /**
   * Each option against what the pipeline declares, so an error names its field: a key it does not
   * declare (besides the keys every pipeline shares), a value out of range, an option of type path
   * or text that names a file (a request reads no file it names).
   */
  private static void checkOptions(String pipeline, Map<String, Object> options, Tessera tessera) {
    Map<String, OptionSpec> declared = new TreeMap<>();
    dev.tessera.runtime.pipeline.Pipelines.provider(tessera.components(), pipeline).options().forEach(o -> declared.put(o.key(), o));
    for (Map.Entry<String, Object> e : options.entrySet()) {
      OptionSpec spec = declared.get(e.getKey());
      if (spec == null && !SHARED.contains(e.getKey())) {
        throw BadRequest.field("options." + e.getKey(), "pipeline '" + pipeline + "' has no option '" + e.getKey() + "' (its options: "
            + String.join(", ", declared.keySet()) + (declared.isEmpty() ? "" : ", ") + String.join(", ", new java.util.TreeSet<>(SHARED)) + ")");
      }
      if (spec != null) {
        try {
          spec.parse(e.getValue());
        } catch (TesseraException bad) {
          throw BadRequest.field("options." + e.getKey(), bad.getMessage());
        }
      }
      boolean path = spec != null && spec.type() == OptionSpec.Type.PATH;
      boolean looksLikePath = e.getValue() instanceof String s && (s.contains("/") || s.contains("\\") || s.startsWith("."));
      if (path || looksLikePath) {
        throw BadRequest.field("options." + e.getKey(), "'" + e.getKey() + "' names a file or folder; requests to the server cannot read files"
            + " (run ./tessera generate for that)");
      }
    }
  }

  private static String text(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw BadRequest.field(field, "'" + field + "' is missing");
    }
    if (!v.isTextual()) {
      throw BadRequest.field(field, "'" + field + "' must be text, got " + kind(v));
    }
    return v.asText();
  }

  private static long integer(JsonNode root, String field, long dflt, long min, long max) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw BadRequest.field(field, "'" + field + "' must be an integer, got " + (v.isNumber() ? v.asText() : kind(v)));
    }
    long n = v.asLong();
    if (n < min || n > max) {
      throw BadRequest.field(field, "'" + field + "' must be in [" + min + ", " + max + "], got " + n);
    }
    return n;
  }

  private static String kind(JsonNode v) {
    return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
