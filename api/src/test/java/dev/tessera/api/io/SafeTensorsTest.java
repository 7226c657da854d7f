package dev.tessera.api.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tessera.api.TesseraException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  private int badFiles;

  // ------------------------------------------------------------ helpers

  /** A safetensors byte image with the given header text (single quotes become double) and data. */
  private static byte[] image(String header, byte[] data) {
    return image(header.replace('\'', '"').getBytes(UTF_8), data);
  }

  private static byte[] image(byte[] header, byte[] data) {
    return withLength(header.length, concat(header, data));
  }

  /** An 8-byte little-endian length prefix followed by {@code rest}. */
  private static byte[] withLength(long length, byte[] rest) {
    return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN).putLong(length).put(rest).array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A header entry, e.g. entry("F32", "[2, 3]", 0, 24). */
  private static String entry(String dtype, String shape, long begin, long end) {
    return "{'dtype': '" + dtype + "', 'shape': " + shape + ", 'data_offsets': [" + begin + ", " + end + "]}";
  }

  /**
   * Writes {@code bytes} to a fresh file, asserts that reading it (from the path and from a
   * stream) fails with a message naming the source and containing every phrase.
   */
  private WeightsFormatException assertMalformed(byte[] bytes, String... phrases) throws IOException {
    Path file = dir.resolve("bad-" + (++badFiles) + ".safetensors");
    Files.write(file, bytes);
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafeTensors.read(file));
    String message = e.getMessage();
    assertTrue(message.startsWith(file + ": "), message);
    for (String phrase : phrases) {
      assertTrue(message.contains(phrase), "expected '" + phrase + "' in: " + message);
    }
    WeightsFormatException fromStream =
        assertThrows(
            WeightsFormatException.class,
            () -> SafeTensors.read(new ByteArrayInputStream(bytes), "res/model.safetensors"));
    assertEquals(
        message.substring(file.toString().length()),
        fromStream.getMessage().substring("res/model.safetensors".length()),
        "file and stream reading report the same problem");
    return e;
  }

  /** Tensors of several dtypes and shapes, in a deliberately non-alphabetical order. */
  static Map<String, TensorData> sample() {
    Map<String, TensorData> t = new LinkedHashMap<>();
    t.put("unet.conv.weight", TensorData.ofFloats(new long[] {2, 3}, new float[] {1, 2, 3, -4, 5.5f, 0}));
    t.put("a.half", TensorData.ofFloats(DType.F16, new long[] {3}, new float[] {0.5f, -1f, 0.1f}));
    t.put("m.bf16", TensorData.ofFloats(DType.BF16, new long[] {2, 1}, new float[] {1.5f, -3f}));
    t.put("step", TensorData.ofLongs(new long[] {}, new long[] {123456789012L}));
    t.put("ids", TensorData.ofInts(new long[] {4}, new int[] {0, 1, -2, 3}));
    t.put("empty", TensorData.ofFloats(new long[] {0, 3}, new float[0]));
    t.put("mask", new TensorData(DType.BOOL, new long[] {3}, new byte[] {1, 0, 1}));
    t.put("pixels", new TensorData(DType.U8, new long[] {1, 5}, new byte[] {0, 1, 2, (byte) 200, (byte) 255}));
    t.put("scale", TensorData.ofFloats(DType.F64, new long[] {1}, new float[] {0.18215f}));
    return t;
  }

  private List<Path> leftoverTempFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().contains(".tmp-")).toList();
    }
  }

  // ------------------------------------------------------------ round trips

  @Test
  void roundTripPreservesTensorsMetadataAndOrder() throws IOException {
    Map<String, TensorData> tensors = sample();
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("format", "pt");
    metadata.put("tessera.model", "tiny-unet");
    metadata.put("unicode", "héllo ✓");
    Path file = dir.resolve("sub/dir/model.safetensors"); // parent directories are created
    SafeTensors.write(file, tensors, metadata);

    SafeTensors.Contents c = SafeTensors.read(file);
    assertEquals(tensors, c.tensors());
    assertEquals(List.copyOf(tensors.keySet()), List.copyOf(c.tensors().keySet()));
    assertEquals(metadata, c.metadata());
    assertEquals(List.copyOf(metadata.keySet()), List.copyOf(c.metadata().keySet()));

    assertArrayEquals(new float[] {0.5f, -1f, TensorData.halfToFloat((short) 0x2E66)}, c.tensors().get("a.half").toFloats());
    assertArrayEquals(new float[] {1.5f, -3f}, c.tensors().get("m.bf16").toFloats());
    assertArrayEquals(new long[] {}, c.tensors().get("step").shape());
    assertArrayEquals(new long[] {123456789012L}, c.tensors().get("step").toLongs());
    assertEquals(0, c.tensors().get("empty").numElements());
    assertArrayEquals(new long[] {0, 3}, c.tensors().get("empty").shape());
    assertArrayEquals(new int[] {0, 1, 2, 200, 255}, c.tensors().get("pixels").toInts());

    // The file is exactly what toBytes produces, and reading from a stream gives the same result.
    byte[] bytes = Files.readAllBytes(file);
    assertArrayEquals(SafeTensors.toBytes(tensors, metadata), bytes);
    try (InputStream in = new ByteArrayInputStream(bytes)) {
      SafeTensors.Contents fromStream = SafeTensors.read(in, "model.safetensors");
      assertEquals(c.tensors(), fromStream.tensors());
      assertEquals(c.metadata(), fromStream.metadata());
    }
    assertThrows(UnsupportedOperationException.class, () -> c.tensors().clear());
    assertThrows(UnsupportedOperationException.class, () -> c.metadata().put("x", "y"));
    assertEquals(List.of(), leftoverTempFiles());
  }

  @Test
  void headerLayoutMatchesTheReferenceWriter() throws IOException {
    byte[] bytes = SafeTensors.toBytes(sample(), Map.of("format", "pt"));
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertEquals(0, (8 + n) % 8, "data section is 8-byte aligned");
    String header = new String(bytes, 8, (int) n, UTF_8);
    assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"unet.conv.weight\":"), header);
    JsonNode root = new ObjectMapper().readTree(header);
    assertEquals("F32", root.get("unet.conv.weight").get("dtype").asText());
    assertEquals("[2,3]", root.get("unet.conv.weight").get("shape").toString());
    assertEquals("[0,24]", root.get("unet.conv.weight").get("data_offsets").toString());
    assertEquals("[24,30]", root.get("a.half").get("data_offsets").toString());
    assertEquals("[]", root.get("step").get("shape").toString());

    // No metadata: no __metadata__ key at all; padding is spaces.
    bytes = SafeTensors.toBytes(Map.of("x", TensorData.ofFloats(new long[] {1}, new float[] {1})), Map.of());
    n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    header = new String(bytes, 8, (int) n, UTF_8);
    String json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    assertTrue(header.startsWith(json), header);
    assertEquals(" ".repeat(header.length() - json.length()), header.substring(json.length()));
    assertEquals(0, (8 + n) % 8);
  }

  /** A file written by hand to the spec (the example from the safetensors repository). */
  @Test
  void readsHandWrittenFileWithMetadataLastAndUnpaddedHeader() throws IOException {
    byte[] data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(3).putInt(4).array();
    byte[] bytes =
        image("{'test':{'dtype':'I32','shape':[2,2],'data_offsets':[0,16]},'__metadata__':{'foo':'bar'}}", data);
    Path file = dir.resolve("spec.safetensors");
    Files.write(file, bytes);
    SafeTensors.Contents c = SafeTensors.read(file);
    assertEquals(Map.of("foo", "bar"), c.metadata());
    assertArrayEquals(new int[] {1, 2, 3, 4}, c.tensors().get("test").toInts());
    assertArrayEquals(new long[] {2, 2}, c.tensors().get("test").shape());
  }

  @Test
  void tensorOrderFollowsTheHeaderNotTheOffsets() {
    byte[] bytes = image("{'b': " + entry("U8", "[2]", 2, 4) + ", 'a': " + entry("U8", "[2]", 0, 2) + "}", new byte[] {1, 2, 3, 4});
    SafeTensors.Contents c = SafeTensors.parse(Path.of("x"), bytes);
    assertEquals(List.of("b", "a"), List.copyOf(c.tensors().keySet()));
    assertArrayEquals(new byte[] {3, 4}, c.tensors().get("b").bytes());
    assertArrayEquals(new byte[] {1, 2}, c.tensors().get("a").bytes());
  }

  @Test
  void zeroLengthTensorsMayShareAnOffset() {
    byte[] bytes =
        image(
            "{'e1': " + entry("F32", "[0]", 0, 0) + ", 'x': " + entry("U8", "[2]", 0, 2)
                + ", 'e2': " + entry("F16", "[3, 0]", 2, 2) + ", 'e3': " + entry("I64", "[0]", 0, 0) + "}",
            new byte[] {9, 8});
    SafeTensors.Contents c = SafeTensors.parse(Path.of("x"), bytes);
    assertEquals(4, c.tensors().size());
    assertEquals(0, c.tensors().get("e2").numElements());
  }

  @Test
  void emptyFileRoundTrips() throws IOException {
    Path file = dir.resolve("empty.safetensors");
    SafeTensors.write(file, Map.of(), null);
    SafeTensors.Contents c = SafeTensors.read(file);
    assertTrue(c.tensors().isEmpty());
    assertTrue(c.metadata().isEmpty());
    assertEquals(16, Files.size(file)); // "{}" padded to 8 bytes
  }

  @Test
  void writeOverwritesAndLeavesNoTempFiles() throws IOException {
    Path file = dir.resolve("w.safetensors");
    SafeTensors.write(file, Map.of("a", TensorData.ofFloats(new long[] {1}, new float[] {1})), Map.of());
    Map<String, TensorData> second = Map.of("b", TensorData.ofInts(new long[] {2}, new int[] {5, 6}));
    SafeTensors.write(file, second, Map.of("v", "2"));
    SafeTensors.Contents c = SafeTensors.read(file);
    assertEquals(second, c.tensors());
    assertEquals(Map.of("v", "2"), c.metadata());
    assertEquals(List.of(), leftoverTempFiles());
  }

  // ------------------------------------------------------------ atomic writes

  @Test
  void failedWriteLeavesPreviousFileIntactAndNoTempFile() throws IOException {
    Path file = dir.resolve("model.safetensors");
    SafeTensors.write(file, sample(), Map.of("version", "1"));
    byte[] before = Files.readAllBytes(file);

    // Fail halfway through writing the new contents, as a full disk would.
    TesseraException e =
        assertThrows(
            TesseraException.class,
            () -> SafeTensors.writeAtomically(file, channel -> {
              channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
              throw new IOException("No space left on device");
            }));
    assertTrue(e.getMessage().startsWith(file + ": cannot write: No space left on device"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of(), leftoverTempFiles());

    // Unchecked failures clean up too and propagate unchanged.
    assertThrows(IllegalStateException.class, () -> SafeTensors.writeAtomically(file, channel -> {
      throw new IllegalStateException("boom");
    }));
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of(), leftoverTempFiles());

    // Invalid arguments are rejected before anything touches the disk.
    Map<String, TensorData> bad = new LinkedHashMap<>();
    bad.put("ok", TensorData.ofFloats(new long[] {1}, new float[] {1}));
    bad.put("", TensorData.ofFloats(new long[] {1}, new float[] {1}));
    assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, bad, Map.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> SafeTensors.write(file, Map.of("__metadata__", TensorData.ofFloats(new long[] {1}, new float[] {1})), null));
    assertArrayEquals(before, Files.readAllBytes(file));
    assertEquals(List.of(), leftoverTempFiles());
  }

  @Test
  void writeFailsCleanlyWhenTheRenameFails() throws IOException {
    // The target is a non-empty directory: the temp file is written, then the move fails.
    Path target = dir.resolve("occupied");
    Files.createDirectories(target.resolve("child"));
    TesseraException e =
        assertThrows(
            TesseraException.class,
            () -> SafeTensors.write(target, sample(), Map.of()));
    assertTrue(e.getMessage().startsWith(target + ": cannot write: "), e.getMessage());
    assertTrue(Files.isDirectory(target.resolve("child")));
    assertEquals(List.of(), leftoverTempFiles());
  }

  @Test
  void writeFailsCleanlyWhenTheParentIsAFile() throws IOException {
    Path notADir = dir.resolve("plain-file");
    Files.writeString(notADir, "keep me");
    Path file = notADir.resolve("model.safetensors");
    TesseraException e = assertThrows(TesseraException.class, () -> SafeTensors.write(file, sample(), Map.of()));
    assertTrue(e.getMessage().startsWith(file + ": cannot write: "), e.getMessage());
    assertEquals("keep me", Files.readString(notADir));
    assertEquals(List.of(), leftoverTempFiles());
  }

  // ------------------------------------------------------------ malformed files

  @Test
  void missingFileAndMissingResource() {
    Path file = dir.resolve("nope.safetensors");
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafeTensors.read(file));
    assertEquals(file + ": cannot read: no such file or folder", e.getMessage());
    e = assertThrows(WeightsFormatException.class, () -> SafeTensors.read(null, "weights/x.safetensors"));
    assertEquals("weights/x.safetensors: not found", e.getMessage());
  }

  @Test
  void streamReadErrorsAreReported() {
    InputStream failing = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("connection reset");
      }
    };
    WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> SafeTensors.read(failing, "r.safetensors"));
    assertEquals("r.safetensors: cannot read: connection reset", e.getMessage());
  }

  @Test
  void shorterThanTheLengthPrefix() throws IOException {
    assertMalformed(new byte[0], "truncated", "0 bytes");
    assertMalformed(new byte[] {2, 0, 0, 0, 0}, "truncated", "5 bytes");
  }

  @Test
  void headerLengthPastTheEndOfTheFile() throws IOException {
    assertMalformed(withLength(100, "{}".getBytes(UTF_8)), "truncated", "header length 100 runs past the end", "only 2 bytes");
  }

  @Test
  void headerLengthOverTheLimitIsRejectedBeforeAllocating() throws IOException {
    // A tiny file claiming a 200 MB header, and one claiming the largest u64: neither may allocate.
    assertMalformed(withLength(200_000_000L, new byte[16]), "header length 200000000 exceeds the limit of 100000000 bytes");
    assertMalformed(withLength(-1L, new byte[16]), "header length 18446744073709551615 exceeds the limit");
    assertMalformed(withLength(Long.MAX_VALUE, new byte[16]), "exceeds the limit");
  }

  @Test
  void headerNotUtf8() throws IOException {
    byte[] header = {'{', (byte) 0xC3, '(', '}'};
    assertMalformed(image(header, new byte[0]), "header is not valid UTF-8");
    byte[] overlong = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'}; // overlong '/'
    assertMalformed(image(overlong, new byte[0]), "header is not valid UTF-8");
  }

  @Test
  void headerNotJsonOrNotAnObject() throws IOException {
    assertMalformed(image("{'a': ", new byte[0]), "header is not valid JSON");
    assertMalformed(image("{} {}", new byte[0]), "header is not valid JSON"); // trailing tokens
    assertMalformed(image("{'a': NaN}", new byte[0]), "header is not valid JSON");
    assertMalformed(image("[1, 2]", new byte[0]), "header is not a JSON object (found array)");
    assertMalformed(image("\"str\"", new byte[0]), "header is not a JSON object (found string)");
    assertMalformed(image("", new byte[0]), "header is empty");
    assertMalformed(image("        ", new byte[0]), "header is empty");
  }

  @Test
  void duplicateKeysAreRejected() throws IOException {
    String e = entry("U8", "[1]", 0, 1);
    assertMalformed(image("{'a': " + e + ", 'a': " + e + "}", new byte[1]), "not valid JSON", "Duplicate field 'a'");
    assertMalformed(
        image("{'a': {'dtype': 'U8', 'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 1]}}", new byte[1]),
        "Duplicate field 'dtype'");
  }

  @Test
  void deeplyNestedJsonGivesAClearError() throws IOException {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);
    assertMalformed(image(deep, new byte[0]), "header is not valid JSON", "nesting depth");
    String deepInEntry = "{'a': {'dtype': 'U8', 'extra': " + "[".repeat(100_000) + "]".repeat(100_000) + "}}";
    assertMalformed(image(deepInEntry, new byte[0]), "header is not valid JSON", "nesting depth");
    // Unbalanced: the file ends inside the nesting.
    assertMalformed(image("{'a':" + "{'b':".repeat(50_000), new byte[0]), "header is not valid JSON");
  }

  @Test
  void entryNotAnObject() throws IOException {
    assertMalformed(image("{'w': 5}", new byte[0]), "tensor 'w': entry is not a JSON object (found number)");
    assertMalformed(image("{'w': [1, 2]}", new byte[0]), "tensor 'w': entry is not a JSON object (found array)");
    assertMalformed(image("{'': " + entry("U8", "[1]", 0, 1) + "}", new byte[1]), "tensor with an empty name");
  }

  @Test
  void missingOrIllTypedFields() throws IOException {
    assertMalformed(image("{'w': {'shape': [1], 'data_offsets': [0, 4]}}", new byte[4]), "tensor 'w': missing \"dtype\"");
    assertMalformed(image("{'w': {'dtype': 'F32', 'data_offsets': [0, 4]}}", new byte[4]), "tensor 'w': missing \"shape\"");
    assertMalformed(image("{'w': {'dtype': 'F32', 'shape': [1]}}", new byte[4]), "tensor 'w': missing \"data_offsets\"");
    assertMalformed(
        image("{'w': {'dtype': 4, 'shape': [1], 'data_offsets': [0, 4]}}", new byte[4]),
        "tensor 'w': \"dtype\" must be a string (found number)");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': 1, 'data_offsets': [0, 4]}}", new byte[4]),
        "tensor 'w': \"shape\" must be an array (found number)");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': ['1'], 'data_offsets': [0, 4]}}", new byte[4]),
        "tensor 'w': \"shape\" must contain integers (found \"1\")");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': [1.0], 'data_offsets': [0, 4]}}", new byte[4]),
        "\"shape\" must contain integers (found 1.0)");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4, 8]}}", new byte[4]),
        "tensor 'w': \"data_offsets\" must have 2 elements (found 3)");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': {'begin': 0}}}", new byte[4]),
        "\"data_offsets\" must be an array (found object)");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 99999999999999999999]}}", new byte[4]),
        "\"data_offsets\" must contain integers (found 99999999999999999999)");
    assertMalformed(
        image("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [-4, 0]}}", new byte[4]),
        "tensor 'w': negative offset -4");
  }

  @Test
  void unknownDtype() throws IOException {
    assertMalformed(image("{'w': " + entry("F8_E4M3", "[1]", 0, 1) + "}", new byte[1]),
        "tensor 'w': unknown dtype 'F8_E4M3' (expected one of BOOL, U8, I8");
    assertMalformed(image("{'w': " + entry("f32", "[1]", 0, 4) + "}", new byte[4]), "unknown dtype 'f32'");
  }

  @Test
  void negativeDimension() throws IOException {
    assertMalformed(image("{'w': " + entry("F32", "[2, -1]", 0, 0) + "}", new byte[0]), "tensor 'w': negative dimension -1");
  }

  @Test
  void shapeProductOverflow() throws IOException {
    assertMalformed(
        image("{'w': " + entry("U8", "[4294967296, 4294967296]", 0, 0) + "}", new byte[0]),
        "tensor 'w': shape [4294967296, 4294967296] of U8 overflows");
    // The element count fits, the byte count does not.
    assertMalformed(image("{'w': " + entry("F64", "[2305843009213693952]", 0, 0) + "}", new byte[0]), "overflows");
  }

  @Test
  void shapeDoesNotMatchOffsets() throws IOException {
    assertMalformed(
        image("{'w': " + entry("F32", "[2, 3]", 0, 20) + "}", new byte[20]),
        "tensor 'w': shape [2, 3] of F32 needs 24 bytes but data_offsets span 20");
  }

  @Test
  void beginAfterEnd() throws IOException {
    assertMalformed(image("{'w': " + entry("U8", "[4]", 8, 4) + "}", new byte[8]), "tensor 'w': data_offsets [8, 4] begin after they end");
  }

  @Test
  void offsetsOutOfBounds() throws IOException {
    assertMalformed(
        image("{'w': " + entry("F32", "[2]", 0, 8) + "}", new byte[4]),
        "tensor 'w': data_offsets [0, 8] are out of bounds of the data section (4 bytes)");
    // Huge offsets that would overflow an int must not be used to allocate either.
    assertMalformed(
        image("{'w': " + entry("U8", "[3000000000]", 5000000000L, 8000000000L) + "}", new byte[4]),
        "out of bounds");
  }

  @Test
  void overlappingRanges() throws IOException {
    assertMalformed(
        image("{'a': " + entry("F32", "[2]", 0, 8) + ", 'b': " + entry("F32", "[2]", 4, 12) + "}", new byte[12]),
        "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    // Two tensors aliasing the very same bytes.
    assertMalformed(
        image("{'a': " + entry("F32", "[1]", 0, 4) + ", 'b': " + entry("F32", "[1]", 0, 4) + "}", new byte[4]),
        "overlap");
  }

  @Test
  void gapsBetweenRanges() throws IOException {
    assertMalformed(
        image("{'a': " + entry("F32", "[1]", 0, 4) + ", 'b': " + entry("F32", "[1]", 8, 12) + "}", new byte[12]),
        "gap in the data section: bytes [4, 8) between 'a' and 'b'");
    assertMalformed(
        image("{'a': " + entry("F32", "[1]", 4, 8) + "}", new byte[8]),
        "gap in the data section: bytes [0, 4) between the start of the data section and 'a'");
  }

  @Test
  void trailingBytes() throws IOException {
    assertMalformed(
        image("{'a': " + entry("F32", "[1]", 0, 4) + "}", new byte[8]),
        "trailing bytes: the data section has 8 bytes but the tensors cover only 4");
    assertMalformed(image("{}", new byte[3]), "trailing bytes", "has 3 bytes", "cover only 0");
  }

  @Test
  void metadataMustBeStrings() throws IOException {
    assertMalformed(image("{'__metadata__': {'epoch': 3}}", new byte[0]), "__metadata__ value for 'epoch' must be a string (found number)");
    assertMalformed(image("{'__metadata__': {'x': {'y': 'z'}}}", new byte[0]), "value for 'x' must be a string (found object)");
    assertMalformed(image("{'__metadata__': ['a']}", new byte[0]), "__metadata__ must be a JSON object of strings (found array)");
    assertMalformed(image("{'__metadata__': null}", new byte[0]), "(found null)");
  }
}
