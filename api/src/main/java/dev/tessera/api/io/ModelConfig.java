package dev.tessera.api.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.TesseraException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;

/**
 * A model's hyper-parameters, stored as {@code config.json} next to its safetensors, as Hugging
 * Face models are. Immutable: {@code with} returns a changed copy. Typed getters take the default
 * to use when a key is absent and fail clearly when a value has the wrong type.
 */
public final class ModelConfig {
  /**
   * Strict like {@link SafeTensors}' header parser: a repeated key or anything after the object
   * is an error, not silently resolved (last one wins) or ignored.
   */
  static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(1_000_000).build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final long MAX_BYTES = 1_000_000;

  private final ObjectNode node;
  private final String source;

  private ModelConfig(ObjectNode node, String source) {
    this.node = node;
    this.source = source;
  }

  public static ModelConfig empty() {
    return new ModelConfig(JSON.createObjectNode(), "config");
  }

  public static ModelConfig parse(String json, String source) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (MismatchedInputException e) { // the only binding error readTree has: FAIL_ON_TRAILING_TOKENS
      throw new TesseraException(source + ": invalid JSON: unexpected data after the object" + where(e));
    } catch (JsonProcessingException | StackOverflowError e) {
      throw new TesseraException(source + ": invalid JSON: " + firstLine(e));
    }
    if (n == null || !n.isObject()) {
      throw new TesseraException(source + ": a config must be a JSON object");
    }
    return new ModelConfig((ObjectNode) n, source);
  }

  public static ModelConfig read(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new TesseraException(file + ": config larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new TesseraException(file + ": cannot read config: " + e);
    }
    return parse(decode(bytes, file.toString()), file.toString());
  }

  public static ModelConfig read(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new TesseraException(source + ": config larger than " + MAX_BYTES + " bytes");
    }
    return parse(decode(bytes, source), source);
  }

  /** UTF-8, strictly: a damaged byte is an error rather than a silent U+FFFD in a name or path. */
  private static String decode(byte[] bytes, String source) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new TesseraException(source + ": config is not valid UTF-8 text");
    }
  }

  /** Writes atomically (temporary file renamed into place). */
  public void write(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      // Not Files.createTempFile: that makes the file owner-only (0600).
      Path tmp = dir.resolve(file.getFileName() + ".tmp-" + Long.toHexString(System.nanoTime()));
      try {
        Files.writeString(tmp, toJson(), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new TesseraException(file + ": cannot write config: " + e);
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(node) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public String source() {
    return source;
  }

  public boolean has(String key) {
    return node.has(key);
  }

  public int getInt(String key, int defaultValue) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw wrongType(key, "an integer", v);
    }
    return v.intValue();
  }

  public long getLong(String key, long defaultValue) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw wrongType(key, "an integer", v);
    }
    return v.longValue();
  }

  public double getDouble(String key, double defaultValue) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    // 1e999 parses as infinity; no hyper-parameter means that, so it is refused like a wrong type.
    if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
      throw wrongType(key, "a finite number", v);
    }
    return v.doubleValue();
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isBoolean()) {
      throw wrongType(key, "true or false", v);
    }
    return v.booleanValue();
  }

  public String getString(String key, String defaultValue) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isTextual()) {
      throw wrongType(key, "a string", v);
    }
    return v.textValue();
  }

  /**
   * The largest value {@link #getPositiveInt} accepts. Positive config integers are sizes and counts
   * (channels, widths, layers, vocabulary, timesteps); the largest any shipped model uses is 49,408
   * (CLIP's vocabulary). Larger values overflow TensorFlow's shape arithmetic and abort the process,
   * so they are refused here, before any graph is built; what passes is then held to the parameter
   * and activation budgets ({@code GraphBudget}).
   */
  public static final int MAX_SIZE = 1 << 16;

  /** A positive integer of at most {@link #MAX_SIZE}, failing clearly otherwise. */
  public int getPositiveInt(String key, int defaultValue) {
    int v = getInt(key, defaultValue);
    if (v <= 0 || v > MAX_SIZE) {
      throw new TesseraException(source + ": '" + key + "' must be an integer in [1, " + MAX_SIZE + "] (a size or a count), got " + v);
    }
    return v;
  }

  /**
   * An array of integers in [0, {@link #MAX_SIZE}] (channel counts, level indices), or
   * {@code defaultValue} when absent, failing clearly otherwise.
   */
  public int[] getIntArray(String key, int[] defaultValue) {
    JsonNode n = node.get(key);
    if (n == null || n.isNull()) {
      return defaultValue.clone();
    }
    if (!n.isArray()) {
      throw new TesseraException(source + ": '" + key + "' must be an array of integers, got " + n);
    }
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = n.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > MAX_SIZE) {
        throw new TesseraException(source + ": '" + key + "' must be an array of integers in [0, " + MAX_SIZE + "], got " + n);
      }
      out[i] = v.intValue();
    }
    return out;
  }

  /** The raw JSON value of a key (arrays, objects), or null. */
  public JsonNode node(String key) {
    JsonNode v = node.get(key);
    return v == null ? null : v.deepCopy();
  }

  /** A copy with {@code key} set to {@code value}; a null value removes the key. */
  public ModelConfig with(String key, Object value) {
    ObjectNode copy = node.deepCopy();
    if (value == null) {
      copy.remove(key);
      return new ModelConfig(copy, source);
    }
    copy.set(key, value instanceof ModelConfig c ? c.node.deepCopy() : JSON.valueToTree(value));
    return new ModelConfig(copy, source);
  }

  /** The nested object under {@code key} as a config of its own (a composed model's part), or null when absent. */
  public ModelConfig section(String key) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!(v instanceof ObjectNode o)) {
      throw wrongType(key, "an object", v);
    }
    return new ModelConfig(o.deepCopy(), source + " [" + key + "]");
  }

  /** This config with every key of {@code overrides} replaced. */
  public ModelConfig merge(ModelConfig overrides) {
    ObjectNode copy = node.deepCopy();
    Iterator<String> it = overrides.node.fieldNames();
    while (it.hasNext()) {
      String k = it.next();
      copy.set(k, overrides.node.get(k).deepCopy());
    }
    return new ModelConfig(copy, source);
  }

  public Iterator<String> keys() {
    return node.fieldNames();
  }

  private TesseraException wrongType(String key, String expected, JsonNode v) {
    return new TesseraException(source + ": '" + key + "' must be " + expected + ", got " + v);
  }

  private static String where(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    return at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
  }

  private static String firstLine(Throwable e) {
    if (e instanceof StackOverflowError) {
      return "nested too deeply";
    }
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  @Override
  public String toString() {
    return toJson();
  }
}
