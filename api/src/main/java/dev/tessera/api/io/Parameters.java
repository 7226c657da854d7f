package dev.tessera.api.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A model's weights: tensor name (dotted path) -> tensor, stored as safetensors. This is host
 * memory only, with no native resources, so it can be passed around freely.
 */
public final class Parameters {
  private final String source;
  private final Map<String, TensorData> tensors = new LinkedHashMap<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** @param source where these came from, used in error messages (a file name) */
  public Parameters(String source) {
    this.source = source;
  }

  public static Parameters load(Path file) {
    SafeTensors.Contents c = SafeTensors.read(file);
    Parameters p = new Parameters(file.toString());
    p.tensors.putAll(checkFinite(c.tensors(), file.toString()));
    p.metadata.putAll(c.metadata());
    return p;
  }

  public static Parameters load(InputStream in, String sourceName) throws IOException {
    SafeTensors.Contents c = SafeTensors.read(in, sourceName);
    Parameters p = new Parameters(sourceName);
    p.tensors.putAll(checkFinite(c.tensors(), sourceName));
    p.metadata.putAll(c.metadata());
    return p;
  }

  /**
   * Refuses weights holding NaN or an infinity: loaded, they turn every output into NaN (black
   * images, a NaN PSNR, every image given the first label) with nothing said. Names the tensor and
   * the first bad element.
   */
  static Map<String, TensorData> checkFinite(Map<String, TensorData> tensors, String source) {
    for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
      TensorData t = e.getValue();
      if (!t.dtype().isFloatingPoint()) {
        continue;
      }
      float[] v = t.toFloats();
      for (int i = 0; i < v.length; i++) {
        if (!Float.isFinite(v[i])) {
          throw new WeightsFormatException(Path.of(source), "tensor '" + e.getKey() + "' holds " + v[i] + " at element " + i
              + ": weights must be finite (a training run that diverged?)");
        }
      }
    }
    return tensors;
  }

  /** Writes atomically (temporary file renamed into place). */
  public void save(Path file) {
    SafeTensors.write(file, tensors, metadata);
  }

  public String source() {
    return source;
  }

  public Parameters put(String name, TensorData tensor) {
    tensors.put(name, tensor);
    return this;
  }

  public Parameters putAll(Parameters other) {
    tensors.putAll(other.tensors);
    return this;
  }

  /** The tensor, or null. */
  public TensorData find(String name) {
    return tensors.get(name);
  }

  public TensorData get(String name) {
    TensorData t = tensors.get(name);
    if (t == null) {
      throw new dev.tessera.api.TesseraException(source + ": no tensor '" + name + "'");
    }
    return t;
  }

  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  public int size() {
    return tensors.size();
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** These tensors without the named ones (a copy sharing the tensor data; metadata copied). */
  public Parameters without(Set<String> names) {
    Parameters p = new Parameters(source);
    tensors.forEach((k, v) -> {
      if (!names.contains(k)) {
        p.tensors.put(k, v);
      }
    });
    p.metadata.putAll(metadata);
    return p;
  }

  /**
   * SHA-256 over every tensor's name, dtype, shape and bytes, in name order: tells whether two
   * weight sets are the same, for a model whose file refers to another model's tensors.
   */
  public String fingerprint() {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      for (String name : new java.util.TreeSet<>(tensors.keySet())) {
        TensorData t = tensors.get(name);
        md.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(t.dtype().name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(java.util.Arrays.toString(t.shape()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update(t.bytes());
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Total bytes of tensor data. */
  public long byteSize() {
    long n = 0;
    for (TensorData t : tensors.values()) {
      n += t.numElements() * t.dtype().byteSize();
    }
    return n;
  }
}
