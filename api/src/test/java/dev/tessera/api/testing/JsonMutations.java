package dev.tessera.api.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Damage to a JSON object file (config.json, a pipeline file, a safetensors header) that a JSON
 * reader must survive: a known key with a value of the wrong type or range, a key removed or
 * repeated, nesting 100,000 levels deep, data after the object, text that is not UTF-8, a root
 * that is not an object, a byte-order mark, a huge string.
 */
public final class JsonMutations {
  /** 100,000 levels of nesting: deep enough to overflow a recursive parser's stack. */
  public static final int DEEP = 100_000;

  /** Values put where a known key's value was: every JSON type, range edges, overflow, bad escapes, non-JSON numbers. */
  private static final String[] HOSTILE_VALUES = {
    "\"x\"", "\"\"", "0", "-1", "1.5", "-0.0", "2147483647", "-2147483648", "2147483648", "-2147483649",
    "9223372036854775808", "1e999", "-1e999", "1e-400", "3.5e38", "true", "false", "null", "[]", "{}", "[1, 2, 3]",
    "{\"a\": 1}", "\"\\u0000\"", "\"a\\u0000b\"", "\"\\ud800\"", "\"../../../../etc/passwd\"", "NaN", "Infinity",
    "-Infinity", "01", "0x10", "+1", ".5", "1" + "0".repeat(2000), "[".repeat(DEEP) + "]".repeat(DEEP),
  };

  private static final String[] TRAILING = {"}", "]", "{}", " {\"a\": 1}", "garbage", "\u0000", ",", "\n\n"};

  private static final String[] NOT_AN_OBJECT = {"[]", "[1, 2]", "\"config\"", "42", "null", "true", "", "   \n"};

  private static final byte[][] BAD_UTF8 = {
    {(byte) 0xFF}, {(byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
  };

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Stands in for a value while the tree is written out, then is replaced by raw (possibly invalid) JSON text. */
  private static final String PLACEHOLDER = "@@hostile-value@@";

  private JsonMutations() {}

  /** One kind of damage, drawn at random; {@code validJson} must be a JSON object. */
  public static Mutation any(String validJson, SplittableRandom random) {
    int pick = random.nextInt(100);
    if (pick < 40) {
      return wrongValue(validJson, random);
    } else if (pick < 48) {
      return removeKey(validJson, random);
    } else if (pick < 58) {
      return repeatKey(validJson, random);
    } else if (pick < 66) {
      return deepNesting(random);
    } else if (pick < 74) {
      return trailingData(validJson, random);
    } else if (pick < 82) {
      return invalidUtf8(validJson, random);
    } else if (pick < 88) {
      String root = NOT_AN_OBJECT[random.nextInt(NOT_AN_OBJECT.length)];
      return new Mutation("root is not an object: '" + root.strip() + "'", root.getBytes(UTF_8));
    } else if (pick < 93) {
      byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
      return new Mutation("byte-order mark before the object", ByteMutations.insert(validJson.getBytes(UTF_8), 0, bom));
    }
    return hugeString(validJson, random);
  }

  /** A key somewhere in the object (nested objects included) gets a hostile value. */
  public static Mutation wrongValue(String validJson, SplittableRandom random) {
    ObjectNode root = parse(validJson);
    List<Field> fields = fields(root);
    if (fields.isEmpty()) {
      return new Mutation("no key to change", validJson.getBytes(UTF_8));
    }
    Field f = fields.get(random.nextInt(fields.size()));
    String value = hostileValue(random);
    return new Mutation("'" + f.path() + "' = " + abbreviate(value), withRawValue(root, f.parent(), f.key(), value).getBytes(UTF_8));
  }

  /** A value of any JSON type, at a range edge, overflowing, badly escaped, not JSON at all, or nested 100,000 deep. */
  public static String hostileValue(SplittableRandom random) {
    return HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)];
  }

  /**
   * The tree written out with {@code parent[key]} set to {@code rawValue}, raw JSON text that
   * need not be valid. Changes {@code parent}.
   */
  public static String withRawValue(ObjectNode root, ObjectNode parent, String key, String rawValue) {
    parent.set(key, TextNode.valueOf(PLACEHOLDER));
    return write(root).replace("\"" + PLACEHOLDER + "\"", rawValue);
  }

  /** A key somewhere in the object is removed. */
  public static Mutation removeKey(String validJson, SplittableRandom random) {
    ObjectNode root = parse(validJson);
    List<Field> fields = fields(root);
    if (fields.isEmpty()) {
      return new Mutation("no key to remove", validJson.getBytes(UTF_8));
    }
    Field f = fields.get(random.nextInt(fields.size()));
    f.parent().remove(f.key());
    return new Mutation("remove '" + f.path() + "'", write(root).getBytes(UTF_8));
  }

  /** A top-level key appears twice, the first time with a hostile value or a copy of its own. */
  public static Mutation repeatKey(String validJson, SplittableRandom random) {
    ObjectNode root = parse(validJson);
    List<String> keys = new ArrayList<>();
    root.fieldNames().forEachRemaining(keys::add);
    if (keys.isEmpty()) {
      return new Mutation("no key to repeat", validJson.getBytes(UTF_8));
    }
    String key = keys.get(random.nextInt(keys.size()));
    String value = random.nextBoolean() ? root.get(key).toString() : hostileValue(random);
    int brace = validJson.indexOf('{');
    String text = validJson.substring(0, brace + 1) + "\"" + key + "\": " + value + ", " + validJson.substring(brace + 1);
    return new Mutation("repeat key '" + key + "' (first = " + abbreviate(value) + ")", text.getBytes(UTF_8));
  }

  /** 100,000 levels of arrays or objects, closed or not. */
  public static Mutation deepNesting(SplittableRandom random) {
    boolean closed = random.nextBoolean();
    if (random.nextBoolean()) {
      String text = "[".repeat(DEEP) + (closed ? "]".repeat(DEEP) : "");
      return new Mutation(DEEP + " nested arrays" + (closed ? "" : ", unclosed"), text.getBytes(UTF_8));
    }
    String text = "{\"a\": ".repeat(DEEP) + "1" + (closed ? "}".repeat(DEEP) : "");
    return new Mutation(DEEP + " nested objects" + (closed ? "" : ", unclosed"), text.getBytes(UTF_8));
  }

  /** Something after the object: a stray bracket, a second object, junk. */
  public static Mutation trailingData(String validJson, SplittableRandom random) {
    String tail = TRAILING[random.nextInt(TRAILING.length)];
    return new Mutation("append '" + tail.strip() + "' after the object", (validJson + tail).getBytes(UTF_8));
  }

  /** Bytes that are not UTF-8, right after a random quote (so usually inside a key or string). */
  public static Mutation invalidUtf8(String validJson, SplittableRandom random) {
    byte[] bytes = validJson.getBytes(UTF_8);
    List<Integer> quotes = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '"') {
        quotes.add(i + 1);
      }
    }
    int at = quotes.isEmpty() ? random.nextInt(bytes.length + 1) : quotes.get(random.nextInt(quotes.size()));
    byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
    return new Mutation("insert " + bad.length + " non-UTF-8 bytes at " + at, ByteMutations.insert(bytes, at, bad));
  }

  /** A key's value becomes a string of 600,000 or 2,000,000 characters. */
  public static Mutation hugeString(String validJson, SplittableRandom random) {
    int length = random.nextBoolean() ? 600_000 : 2_000_000;
    ObjectNode root = parse(validJson);
    List<Field> fields = fields(root);
    Field f = fields.isEmpty() ? new Field(root, "huge", "huge") : fields.get(random.nextInt(fields.size()));
    f.parent().put(f.key(), "a".repeat(length));
    String key = f.path();
    return new Mutation("'" + key + "' = a string of " + length + " characters", write(root).getBytes(UTF_8));
  }

  // ------------------------------------------------------------ helpers

  /** A key of an object in the tree and its dotted path from the root. */
  private record Field(ObjectNode parent, String key, String path) {}

  private static List<Field> fields(ObjectNode root) {
    List<Field> out = new ArrayList<>();
    collect(root, "", out);
    return out;
  }

  private static void collect(ObjectNode node, String prefix, List<Field> out) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String path = prefix + e.getKey();
      out.add(new Field(node, e.getKey(), path));
      if (e.getValue() instanceof ObjectNode child) {
        collect(child, path + ".", out);
      }
    }
  }

  private static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JSON.readTree(json);
    } catch (JsonProcessingException | ClassCastException e) {
      throw new IllegalArgumentException("the valid input must be a JSON object: " + e.getMessage(), e);
    }
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A value short enough for a failure message. */
  public static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 20) + "...(" + value.length() + " chars)";
  }
}
