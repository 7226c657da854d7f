package dev.tessera.api.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.testing.ByteMutations;
import dev.tessera.api.testing.JsonMutations;
import dev.tessera.api.testing.Mutation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Damaged safetensors files for the fuzz tests, and the check that an accepted file was read as
 * its header says. Damage is format-blind ({@link ByteMutations}) or aimed at the header: a huge
 * or wrong length prefix, wrong dtypes, shapes and data offsets, overlapping or missing ranges,
 * and JSON damage ({@link JsonMutations}) with the length prefix fixed so the parser meets it.
 */
final class SafeTensorsDamage {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SafeTensorsDamage() {}

  /** One kind of damage, sometimes followed by byte damage on top. */
  static Mutation any(byte[] valid, SplittableRandom random) {
    int pick = random.nextInt(100);
    Mutation m;
    if (pick < 30) {
      m = ByteMutations.any(valid, random);
    } else if (pick < 42) {
      m = lengthPrefix(valid, random);
    } else if (pick < 80) {
      m = entryField(valid, random);
    } else if (pick < 88) {
      m = ranges(valid, random);
    } else {
      m = headerJson(valid, random);
    }
    return random.nextInt(5) == 0 ? m.then(b -> ByteMutations.any(b, random)) : m;
  }

  /** A file with the same data and tensor {@code name} given another shape of as many elements. */
  static Mutation reshape(byte[] valid, SplittableRandom random) {
    Parts p = Parts.of(valid);
    List<String> names = p.tensorNames();
    String name = names.get(random.nextInt(names.size()));
    ObjectNode entry = (ObjectNode) p.header().get(name);
    long elements = 1;
    for (JsonNode d : entry.get("shape")) {
      elements *= d.asLong();
    }
    long[][] shapes = {{elements}, {1, elements}, {elements, 1}};
    long[] shape = shapes[random.nextInt(shapes.length)];
    entry.set("shape", JSON.valueToTree(shape));
    return new Mutation("tensor '" + name + "' reshaped to " + Arrays.toString(shape), p.assemble(write(p.header())));
  }

  /** The 8-byte length prefix: 2^62, 2^64-1, ... or a small error. */
  static Mutation lengthPrefix(byte[] valid, SplittableRandom random) {
    long length = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    long value = random.nextBoolean() ? ByteMutations.extremeLong(random) : length + random.nextInt(33) - 16;
    return new Mutation("header length " + Long.toUnsignedString(value),
        ByteMutations.withLong(valid, 0, value, ByteOrder.LITTLE_ENDIAN));
  }

  /** One tensor's dtype, shape or data_offsets set to a wrong value; the file is otherwise intact. */
  static Mutation entryField(byte[] valid, SplittableRandom random) {
    Parts p = Parts.of(valid);
    List<String> names = p.tensorNames();
    String name = names.get(random.nextInt(names.size()));
    ObjectNode entry = (ObjectNode) p.header().get(name);
    long begin = entry.get("data_offsets").get(0).asLong();
    long end = entry.get("data_offsets").get(1).asLong();
    long elements = (end - begin) / DType.valueOf(entry.get("dtype").asText()).byteSize();
    String field;
    String value;
    switch (random.nextInt(3)) {
      case 0 -> {
        field = "dtype";
        value = pick(random, "\"F16\"", "\"F64\"", "\"I32\"", "\"U32\"", "\"I64\"", "\"BOOL\"", "\"U8\"", "\"f32\"",
            "\"F8_E4M3\"", "\"\"", "32", "null", "[\"F32\"]", JsonMutations.hostileValue(random));
      }
      case 1 -> {
        field = "shape";
        value = pick(random, "[" + (1L << 62) + "]", "[2147483647, 2147483647]", "[-1]", "[]", "[0]", "[" + elements + "]",
            "[" + (elements + 1) + "]", "[" + elements + ", 0]", "[1.5]", "\"[2, 3]\"", "[9223372036854775808]",
            "[3037000500, 3037000500]", "[4611686018427387904, 4]", "[" + "1, ".repeat(63) + "1]", "[1, -" + elements + "]",
            JsonMutations.hostileValue(random));
      }
      default -> {
        field = "data_offsets";
        long size = p.data().length;
        value = pick(random, "[0, 9223372036854775807]", "[" + end + ", " + begin + "]", "[-1, " + end + "]",
            "[" + begin + ", " + (size + 1) + "]", "[" + (begin + 1) + ", " + (end + 1) + "]", "[" + begin + ", " + end + ", " + end + "]",
            "[" + begin + "]", "[\"" + begin + "\", \"" + end + "\"]", "[" + begin + ".0, " + end + ".0]",
            "[" + (1L << 62) + ", " + ((1L << 62) + end - begin) + "]", "[" + (size - (end - begin)) + ", " + size + "]",
            JsonMutations.hostileValue(random));
      }
    }
    String header = JsonMutations.withRawValue(p.header(), entry, field, value);
    return new Mutation("tensor '" + name + "' " + field + " = " + JsonMutations.abbreviate(value), p.assemble(header.getBytes(UTF_8)));
  }

  /** Tensors whose byte ranges overlap, leave a gap, or are claimed twice. */
  static Mutation ranges(byte[] valid, SplittableRandom random) {
    Parts p = Parts.of(valid);
    List<String> names = p.tensorNames();
    String a = names.get(random.nextInt(names.size()));
    String b = names.get(random.nextInt(names.size()));
    ObjectNode header = p.header();
    String what;
    switch (random.nextInt(3)) {
      case 0 -> {
        JsonNode offsets = header.get(a).get("data_offsets");
        ((ObjectNode) header.get(b)).set("data_offsets", offsets.deepCopy());
        what = "tensor '" + b + "' takes the data_offsets of '" + a + "'";
      }
      case 1 -> {
        header.remove(a);
        what = "tensor '" + a + "' removed from the header";
      }
      default -> {
        header.set(a + ".alias", header.get(a).deepCopy());
        what = "tensor '" + a + ".alias' shares the bytes of '" + a + "'";
      }
    }
    return new Mutation(what, p.assemble(write(header)));
  }

  /** JSON damage to the header text, usually with the length prefix fixed to match. */
  static Mutation headerJson(byte[] valid, SplittableRandom random) {
    Parts p = Parts.of(valid);
    Mutation json = JsonMutations.any(write(p.header()), random);
    if (random.nextInt(4) == 0) {
      byte[] unfixed = ByteMutations.insert(Arrays.copyOf(valid, 8), 8, concat(json.bytes(), p.data()));
      return new Mutation("header: " + json.description() + " (length prefix not fixed)", unfixed);
    }
    return new Mutation("header: " + json.description(), p.assemble(json.bytes()));
  }

  /**
   * Checks an accepted file's contents against its own header, read by a plain JSON parser: the
   * same tensors in the same order, each with the header's dtype and shape and exactly the bytes
   * its data_offsets name, and the same metadata.
   */
  static void assertAsTheHeaderSays(byte[] file, SafeTensors.Contents read) {
    Parts p = Parts.of(file);
    Map<String, String> metadata = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : p.header().properties()) {
      if (e.getKey().equals(SafeTensors.METADATA_KEY)) {
        e.getValue().properties().forEach(kv -> metadata.put(kv.getKey(), kv.getValue().asText()));
        continue;
      }
      names.add(e.getKey());
      JsonNode entry = e.getValue();
      TensorData t = read.tensors().get(e.getKey());
      assertEquals(entry.get("dtype").asText(), t == null ? null : t.dtype().name(), "dtype of '" + e.getKey() + "'");
      assertEquals(entry.get("shape").toString(), JSON.valueToTree(t.shape()).toString(), "shape of '" + e.getKey() + "'");
      int begin = entry.get("data_offsets").get(0).asInt();
      int end = entry.get("data_offsets").get(1).asInt();
      assertArrayEquals(Arrays.copyOfRange(p.data(), begin, end), t.rawBytes(), "bytes of '" + e.getKey() + "'");
    }
    assertEquals(names, List.copyOf(read.tensors().keySet()), "tensors in header order");
    assertEquals(metadata, read.metadata(), "metadata");
  }

  // ------------------------------------------------------------ helpers

  /** A safetensors file split into its parsed header and its data section. */
  private record Parts(ObjectNode header, byte[] data) {
    static Parts of(byte[] file) {
      long length = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
      try {
        ObjectNode header = (ObjectNode) JSON.readTree(new String(file, 8, (int) length, UTF_8));
        return new Parts(header, Arrays.copyOfRange(file, 8 + (int) length, file.length));
      } catch (IOException | RuntimeException e) {
        throw new AssertionError("a plain JSON parser cannot split this file into header and data: " + e);
      }
    }

    List<String> tensorNames() {
      List<String> names = new ArrayList<>();
      header.fieldNames().forEachRemaining(n -> {
        if (!n.equals(SafeTensors.METADATA_KEY)) {
          names.add(n);
        }
      });
      return names;
    }

    /** A file with this data section after {@code headerText} and its correct length prefix. */
    byte[] assemble(String headerText) {
      return assemble(headerText.getBytes(UTF_8));
    }

    byte[] assemble(byte[] headerBytes) {
      return ByteBuffer.allocate(8 + headerBytes.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
          .putLong(headerBytes.length).put(headerBytes).put(data).array();
    }
  }

  private static String pick(SplittableRandom random, String... values) {
    return values[random.nextInt(values.length)];
  }

  private static String write(JsonNode node) {
    return node.toString();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return ByteMutations.insert(a, a.length, b);
  }
}
