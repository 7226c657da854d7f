package dev.tessera.api.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tessera.api.TesseraException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reads and writes the <a href="https://huggingface.co/docs/safetensors">safetensors</a> format:
 * an 8-byte little-endian header length N, N bytes of UTF-8 JSON describing the tensors, then the
 * tensor bytes. Reading validates the whole header before allocating anything sized by it, so a
 * corrupt or hostile file fails with a {@link WeightsFormatException} naming the file and the
 * problem rather than with an out-of-memory error or a wrong tensor.
 */
public final class SafeTensors {
  /** Largest header accepted, as in the reference implementation; guards the header allocation. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** Largest stream {@link #read(InputStream, String)} buffers: the largest Java byte array. */
  static final int MAX_STREAM_BYTES = Integer.MAX_VALUE - 8;

  static final String METADATA_KEY = "__metadata__";

  /** A real header nests 3 deep (object, entry, shape); anything far deeper is garbage. */
  private static final int MAX_JSON_DEPTH = 64;

  private static final ObjectMapper JSON =
      JsonMapper.builder(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxNestingDepth(MAX_JSON_DEPTH)
                          // Metadata strings may be long; the header size limit bounds them anyway.
                          .maxStringLength((int) MAX_HEADER_BYTES)
                          .build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
          .build();

  private SafeTensors() {}

  /**
   * The contents of a safetensors file: its {@code __metadata__} strings and its tensors, both in
   * file order and unmodifiable.
   */
  public record Contents(Map<String, String> metadata, Map<String, TensorData> tensors) {
    public Contents {
      metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
      tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads a whole safetensors file into memory.
   *
   * @throws WeightsFormatException if the file cannot be read or is not valid safetensors
   */
  public static Contents read(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return parse(file, new ChannelSource(channel));
    } catch (IOException e) {
      throw new WeightsFormatException(file, "cannot read: " + IoFailures.describe(e), e);
    }
  }

  /**
   * Reads safetensors from a stream, e.g. a classpath resource. Reads the stream to its end (at
   * most {@link #MAX_STREAM_BYTES} bytes) but does not close it.
   *
   * @param in the stream; null (a missing resource) is reported as "not found"
   * @param sourceName where the bytes come from, named in error messages
   * @throws WeightsFormatException if the stream cannot be read or is not valid safetensors
   */
  public static Contents read(InputStream in, String sourceName) {
    Path source = sourcePath(sourceName);
    if (in == null) {
      throw new WeightsFormatException(source, "not found");
    }
    byte[] bytes;
    try {
      // readNBytes grows its buffer as data arrives, so memory follows the real stream size.
      bytes = in.readNBytes(MAX_STREAM_BYTES);
      if (bytes.length == MAX_STREAM_BYTES && in.read() != -1) {
        throw new WeightsFormatException(
            source, "too large: more than " + MAX_STREAM_BYTES + " bytes cannot be read from a stream");
      }
    } catch (IOException e) {
      throw new WeightsFormatException(source, "cannot read: " + IoFailures.describe(e), e);
    }
    return parse(source, bytes);
  }

  /** Parses safetensors held in memory; {@code file} is only used in messages. */
  static Contents parse(Path file, byte[] bytes) {
    try {
      return parse(file, new ArraySource(bytes));
    } catch (IOException e) { // cannot happen for an array, but keep the contract uniform
      throw new WeightsFormatException(file, "cannot read: " + IoFailures.describe(e), e);
    }
  }

  /** Random-access bytes: a file channel or an array. */
  private interface Source {
    long size() throws IOException;

    /** Fills {@code dst} from {@code position}; EOFException if the source ends first. */
    void readFully(long position, byte[] dst) throws IOException;
  }

  private record ChannelSource(FileChannel channel) implements Source {
    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void readFully(long position, byte[] dst) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(dst);
      while (buf.hasRemaining()) {
        int n = channel.read(buf, position + buf.position());
        if (n < 0) {
          throw new EOFException("file ended at byte " + (position + buf.position()) + " while reading");
        }
      }
    }
  }

  private record ArraySource(byte[] bytes) implements Source {
    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public void readFully(long position, byte[] dst) throws IOException {
      if (position < 0 || position + dst.length > bytes.length) {
        throw new EOFException("read past the end of the data");
      }
      System.arraycopy(bytes, (int) position, dst, 0, dst.length);
    }
  }

  /** One validated header entry. */
  private record Entry(String name, DType dtype, long[] shape, long begin, long end) {
    String range() {
      return "[" + begin + ", " + end + "]";
    }
  }

  private static Contents parse(Path file, Source source) throws IOException {
    long size = source.size();
    if (size < 8) {
      throw new WeightsFormatException(
          file, "truncated: file has " + size + " bytes, fewer than the 8-byte header length");
    }
    byte[] prefix = new byte[8];
    source.readFully(0, prefix);
    long headerLength = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
    // The length is an unsigned u64: compare unsigned so huge values are not seen as negative.
    if (Long.compareUnsigned(headerLength, MAX_HEADER_BYTES) > 0) {
      throw new WeightsFormatException(
          file,
          "header length " + Long.toUnsignedString(headerLength) + " exceeds the limit of "
              + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
    }
    if (headerLength > size - 8) {
      throw new WeightsFormatException(
          file,
          "truncated: header length " + headerLength + " runs past the end of the file (only "
              + (size - 8) + " bytes follow the length)");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    source.readFully(8, headerBytes);
    long dataStart = 8 + headerLength;
    long dataLength = size - dataStart;

    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = parseHeader(file, headerBytes, dataLength, metadata);
    checkTiling(file, entries, dataLength);

    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (Entry e : entries) {
      long length = e.end() - e.begin();
      if (length > MAX_STREAM_BYTES) {
        throw new WeightsFormatException(
            file, "tensor '" + e.name() + "' has " + length + " bytes, more than a Java array can hold");
      }
      // Safe to allocate: the range was validated to lie inside the (already existing) data section.
      byte[] data = new byte[(int) length];
      source.readFully(dataStart + e.begin(), data);
      tensors.put(e.name(), TensorData.wrap(e.dtype(), e.shape(), data));
    }
    return new Contents(metadata, tensors);
  }

  /** Parses and validates the header JSON; fills {@code metadata}, returns entries in file order. */
  private static List<Entry> parseHeader(
      Path file, byte[] headerBytes, long dataLength, Map<String, String> metadata) {
    JsonNode root = parseJson(file, headerBytes);
    if (root == null || root.isMissingNode()) {
      throw new WeightsFormatException(file, "header is empty; expected a JSON object");
    }
    if (!root.isObject()) {
      throw new WeightsFormatException(
          file, "header is not a JSON object (found " + kind(root) + ")");
    }
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      String name = field.getKey();
      JsonNode value = field.getValue();
      if (name.equals(METADATA_KEY)) {
        parseMetadata(file, value, metadata);
      } else {
        entries.add(parseEntry(file, name, value, dataLength));
      }
    }
    return entries;
  }

  private static JsonNode parseJson(Path file, byte[] headerBytes) {
    String text;
    try {
      // Decode strictly first: Jackson would accept some malformed UTF-8 (e.g. overlong forms).
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(headerBytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new WeightsFormatException(file, "header is not valid UTF-8", e);
    }
    try {
      return JSON.readTree(text);
    } catch (JacksonException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " at column " + at.getColumnNr();
      throw new WeightsFormatException(
          file, "header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
    } catch (StackOverflowError e) {
      // Defensive: the nesting limit should stop deep input before recursion gets this far.
      throw new WeightsFormatException(file, "header is not valid JSON: nested too deeply");
    }
  }

  private static void parseMetadata(Path file, JsonNode node, Map<String, String> metadata) {
    if (!node.isObject()) {
      throw new WeightsFormatException(
          file, METADATA_KEY + " must be a JSON object of strings (found " + kind(node) + ")");
    }
    for (Map.Entry<String, JsonNode> kv : node.properties()) {
      if (!kv.getValue().isTextual()) {
        throw new WeightsFormatException(
            file,
            METADATA_KEY + " value for '" + kv.getKey() + "' must be a string (found "
                + kind(kv.getValue()) + ")");
      }
      metadata.put(kv.getKey(), kv.getValue().textValue());
    }
  }

  private static Entry parseEntry(Path file, String name, JsonNode node, long dataLength) {
    String where = "tensor '" + name + "'";
    if (name.isEmpty()) {
      throw new WeightsFormatException(file, "tensor with an empty name");
    }
    if (!node.isObject()) {
      throw new WeightsFormatException(file, where + ": entry is not a JSON object (found " + kind(node) + ")");
    }
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null) {
      throw new WeightsFormatException(file, where + ": missing \"dtype\"");
    }
    if (!dtypeNode.isTextual()) {
      throw new WeightsFormatException(
          file, where + ": \"dtype\" must be a string (found " + kind(dtypeNode) + ")");
    }
    DType dtype = DType.find(dtypeNode.textValue());
    if (dtype == null) {
      throw new WeightsFormatException(file, where + ": " + DType.unknown(dtypeNode.textValue()));
    }

    long[] shape = longArray(file, where, node, "shape", -1);
    long[] offsets = longArray(file, where, node, "data_offsets", 2);
    long begin = offsets[0];
    long end = offsets[1];
    if (begin > end) {
      throw new WeightsFormatException(
          file, where + ": data_offsets [" + begin + ", " + end + "] begin after they end");
    }

    long elements = 1;
    long bytes;
    try {
      for (long d : shape) {
        elements = Math.multiplyExact(elements, d);
      }
      bytes = Math.multiplyExact(elements, (long) dtype.byteSize());
    } catch (ArithmeticException e) {
      throw new WeightsFormatException(
          file, where + ": shape " + Arrays.toString(shape) + " of " + dtype + " overflows (too many elements)");
    }
    if (bytes != end - begin) {
      throw new WeightsFormatException(
          file,
          where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
              + " bytes but data_offsets span " + (end - begin));
    }
    if (end > dataLength) {
      throw new WeightsFormatException(
          file,
          where + ": data_offsets [" + begin + ", " + end + "] are out of bounds of the data section ("
              + dataLength + " bytes)");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /**
   * Reads {@code node[key]} as an array of non-negative integers ({@code expectedLength} of them
   * unless it is -1).
   */
  private static long[] longArray(Path file, String where, JsonNode node, String key, int expectedLength) {
    JsonNode array = node.get(key);
    if (array == null) {
      throw new WeightsFormatException(file, where + ": missing \"" + key + "\"");
    }
    if (!array.isArray()) {
      throw new WeightsFormatException(
          file, where + ": \"" + key + "\" must be an array (found " + kind(array) + ")");
    }
    if (expectedLength >= 0 && array.size() != expectedLength) {
      throw new WeightsFormatException(
          file,
          where + ": \"" + key + "\" must have " + expectedLength + " elements (found " + array.size() + ")");
    }
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = array.get(i);
      // Integral only (no 2.0 or 1e3); BigInteger nodes beyond long range fail canConvertToLong.
      if (!v.isIntegralNumber() || !v.canConvertToLong()) {
        throw new WeightsFormatException(
            file, where + ": \"" + key + "\" must contain integers (found " + v + ")");
      }
      long value = v.longValue();
      if (value < 0) {
        String what = key.equals("shape") ? "negative dimension " : "negative offset ";
        throw new WeightsFormatException(
            file, where + ": " + what + value + " in \"" + key + "\" " + array);
      }
      out[i] = value;
    }
    return out;
  }

  /**
   * The tensors' byte ranges must tile the data section exactly, like the reference
   * implementation: sorted by begin, the first starts at 0, each starts where the previous ends,
   * and the last ends at the end of the data. This rejects overlaps (aliasing), gaps (hidden data)
   * and trailing bytes.
   */
  private static void checkTiling(Path file, List<Entry> entries, long dataLength) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long expected = 0;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.begin() < expected) {
        throw new WeightsFormatException(
            file,
            "tensors '" + previous.name() + "' " + previous.range() + " and '" + e.name() + "' "
                + e.range() + " overlap");
      }
      if (e.begin() > expected) {
        String after = previous == null ? "the start of the data section" : "'" + previous.name() + "'";
        throw new WeightsFormatException(
            file,
            "gap in the data section: bytes [" + expected + ", " + e.begin() + ") between " + after
                + " and '" + e.name() + "' belong to no tensor");
      }
      expected = e.end();
      previous = e;
    }
    if (expected != dataLength) {
      throw new WeightsFormatException(
          file,
          "trailing bytes: the data section has " + dataLength + " bytes but the tensors cover only "
              + expected);
    }
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes tensors (in the map's iteration order) and metadata to {@code file}, atomically: the
   * bytes go to a temporary file in the same directory, which is synced and then renamed over
   * {@code file}. On failure the temporary file is removed and any previous {@code file} is left
   * as it was. Missing parent directories are created.
   *
   * @param metadata string pairs stored as {@code __metadata__}; null or empty writes none
   * @throws IllegalArgumentException for an empty tensor name or one equal to {@code __metadata__}
   * @throws TesseraException if the file cannot be written
   */
  public static void write(Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata); // validates arguments before touching the disk
    writeAtomically(
        file,
        channel -> {
          writeFully(channel, ByteBuffer.wrap(header));
          for (TensorData t : tensors.values()) {
            writeFully(channel, ByteBuffer.wrap(t.rawBytes()));
          }
        });
  }

  /** The complete file contents {@link #write} would produce. */
  public static byte[] toBytes(Map<String, TensorData> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata);
    long total = header.length;
    for (TensorData t : tensors.values()) {
      total += t.rawBytes().length;
    }
    if (total > MAX_STREAM_BYTES) {
      throw new IllegalArgumentException(total + " bytes do not fit in a Java array; use write(Path, ...)");
    }
    ByteBuffer out = ByteBuffer.allocate((int) total);
    out.put(header);
    for (TensorData t : tensors.values()) {
      out.put(t.rawBytes());
    }
    return out.array();
  }

  /** The 8-byte length prefix plus the space-padded JSON header. */
  private static byte[] header(Map<String, TensorData> tensors, Map<String, String> metadata) {
    if (tensors == null) {
      throw new IllegalArgumentException("tensors is null");
    }
    ObjectNode root = JSON.createObjectNode();
    if (metadata != null && !metadata.isEmpty()) {
      ObjectNode meta = root.putObject(METADATA_KEY);
      for (Map.Entry<String, String> kv : metadata.entrySet()) {
        if (kv.getKey() == null || kv.getValue() == null) {
          throw new IllegalArgumentException("metadata contains a null key or value");
        }
        meta.put(kv.getKey(), kv.getValue());
      }
    }
    long offset = 0;
    for (Map.Entry<String, TensorData> kv : tensors.entrySet()) {
      String name = kv.getKey();
      TensorData t = kv.getValue();
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("tensor name must not be empty");
      }
      if (name.equals(METADATA_KEY)) {
        throw new IllegalArgumentException("tensor name must not be " + METADATA_KEY);
      }
      if (t == null) {
        throw new IllegalArgumentException("tensor '" + name + "' is null");
      }
      ObjectNode entry = root.putObject(name);
      entry.put("dtype", t.dtype().name());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long end = offset + t.rawBytes().length;
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize the header", e);
    }
    // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(json);
    while (out.hasRemaining()) {
      out.put((byte) ' ');
    }
    return out.array();
  }

  /** Writes a file's contents to an open channel. */
  @FunctionalInterface
  interface ContentWriter {
    void writeTo(FileChannel channel) throws IOException;
  }

  /**
   * Runs {@code contents} against a fresh temporary file next to {@code file}, syncs it, and
   * renames it over {@code file}. Package-private so tests can inject a failure mid-write.
   */
  static void writeAtomically(Path file, ContentWriter contents) {
    Path target = file.toAbsolutePath();
    Path dir = target.getParent();
    Path temp = null;
    boolean moved = false;
    try {
      Files.createDirectories(dir);
      temp =
          dir.resolve(
              target.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        contents.writeTo(channel);
        channel.force(true); // data on disk before the rename makes it visible
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        // Same directory, so this is rare (some network file systems); a plain replace is next best.
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
      syncDirectory(dir);
    } catch (IOException e) {
      throw new TesseraException(file + ": cannot write: " + IoFailures.describe(e), e);
    } finally {
      // Whatever went wrong (including unchecked exceptions), leave no temporary file behind.
      if (!moved && temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // Nothing better to do; the original failure is what the caller needs to see.
        }
      }
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buf) throws IOException {
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
  }

  /** Makes the rename durable; best effort, since not every platform can open a directory. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // The file itself is synced and renamed; only durability across a crash is weaker.
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A JSON node's kind for messages: "string", "number", "array", ... */
  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Path sourcePath(String sourceName) {
    String name = sourceName == null || sourceName.isEmpty() ? "<stream>" : sourceName;
    try {
      return Path.of(name);
    } catch (InvalidPathException e) {
      // Resource URLs can contain characters a file system path cannot (e.g. on Windows).
      return Path.of(name.replaceAll("[^A-Za-z0-9._/\\-]", "_"));
    }
  }
}
