package dev.tessera.api.graph;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Tessera's own TensorFlow kernels (api/src/main/native/tessera_ops.c: group norm with an
 * optional SiLU, layer norm alone and after a residual add, bias + GELU, attention head split,
 * attention softmax), built into the api jar where a C compiler was present, loaded once per
 * process with {@code TensorFlow.loadLibrary}, and their gradients registered.
 * Layers ask {@link #available()} and otherwise build the same function from TensorFlow's ops, so
 * a build without the library computes the same results, slower.
 *
 * <p>{@code TESSERA_NATIVE_OPS=off} in the environment leaves the library unloaded. The kernels are
 * CPU kernels: with the GPU build, soft placement runs them on the CPU.
 */
public final class NativeOps {
  /** Group normalisation, optionally with SiLU, over [N, ..., C]: outputs y and stats. */
  public static final String GROUP_NORM = "TesseraGroupNorm";
  static final String GROUP_NORM_GRAD = "TesseraGroupNormGrad";
  /** Layer normalisation over the last axis: outputs y and stats [rows, 2]. */
  public static final String LAYER_NORM = "TesseraLayerNorm";
  static final String LAYER_NORM_GRAD = "TesseraLayerNormGrad";
  /** h = x + res + bias and the layer norm of h: outputs h, y and stats [rows, 2]. */
  public static final String RESIDUAL_LAYER_NORM = "TesseraResidualLayerNorm";
  static final String RESIDUAL_LAYER_NORM_GRAD = "TesseraResidualLayerNormGrad";
  /** GELU (erf form) of x + bias, bias over the last axis. */
  public static final String BIAS_GELU = "TesseraBiasGelu";
  static final String BIAS_GELU_GRAD = "TesseraBiasGeluGrad";
  /** Bias add and head split of an attention projection: [B, T, D] + bias [D] -> [B, H, T, D/H]. */
  public static final String SPLIT_HEADS = "TesseraSplitHeads";
  static final String SPLIT_HEADS_GRAD = "TesseraSplitHeadsGrad";
  /** Softmax of scale * scores over the last axis, optionally causal from a start position. */
  public static final String ATTENTION_SOFTMAX = "TesseraAttentionSoftmax";
  static final String ATTENTION_SOFTMAX_GRAD = "TesseraAttentionSoftmaxGrad";
  public static final String RESOURCE = "/dev/tessera/api/native/linux-x86_64/libtessera_ops.so";

  private static String unavailable; // null once loaded
  private static boolean tried;

  private NativeOps() {}

  /** Whether the kernels are loaded (loading them on the first call). */
  public static synchronized boolean available() {
    if (!tried) {
      tried = true;
      unavailable = load();
      if (unavailable != null && !unavailable.startsWith("TESSERA_NATIVE_OPS=off")) {
        System.err.println("tessera: native kernels not loaded (" + unavailable + "); using TensorFlow's own ops");
      }
    }
    return unavailable == null;
  }

  /** Why the kernels are not loaded, or "loaded". */
  public static synchronized String status() {
    return available() ? "loaded" : unavailable;
  }

  /**
   * Group normalisation of {@code x} [N, ..., C] over {@code groups} groups of channels, then
   * y * gamma + beta per channel, then SiLU if {@code silu}: one kernel each way.
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static Operand<TFloat32> groupNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, long groups,
      float epsilon, boolean silu) {
    requireLoaded();
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(GROUP_NORM, GROUP_NORM)
        .addInput(x.asOutput()).addInput(gamma.asOutput()).addInput(beta.asOutput())
        .setAttr("groups", groups).setAttr("epsilon", epsilon).setAttr("silu", silu).build();
    return op.output(0);
  }

  /**
   * Layer normalisation of {@code x} [..., D] over its last axis, then * gamma + beta: one kernel
   * each way.
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static Operand<TFloat32> layerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, float epsilon) {
    requireLoaded();
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(LAYER_NORM, LAYER_NORM)
        .addInput(x.asOutput()).addInput(gamma.asOutput()).addInput(beta.asOutput()).setAttr("epsilon", epsilon).build();
    return op.output(0);
  }

  /**
   * A residual add and the layer norm after it: h = x + res + bias (x and res [..., D], bias [D]),
   * then the layer norm of h over its last axis * gamma + beta, in one kernel each way.
   *
   * @return h, then its layer norm
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static List<Operand<TFloat32>> residualLayerNorm(Ops tf, Operand<TFloat32> x, Operand<TFloat32> res, Operand<TFloat32> bias,
      Operand<TFloat32> gamma, Operand<TFloat32> beta, float epsilon) {
    requireLoaded();
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(RESIDUAL_LAYER_NORM, RESIDUAL_LAYER_NORM)
        .addInput(x.asOutput()).addInput(res.asOutput()).addInput(bias.asOutput()).addInput(gamma.asOutput()).addInput(beta.asOutput())
        .setAttr("epsilon", epsilon).build();
    return List.of(op.output(0), op.output(1));
  }

  /**
   * GELU (the exact, erf form of {@code Activations.gelu}) of {@code x + bias}, bias [C] over the
   * last axis of x: one kernel each way.
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static Operand<TFloat32> biasGelu(Ops tf, Operand<TFloat32> x, Operand<TFloat32> bias) {
    requireLoaded();
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(BIAS_GELU, BIAS_GELU).addInput(x.asOutput()).addInput(bias.asOutput()).build();
    return op.output(0);
  }

  /**
   * {@code x + bias} split into heads: x [B, T, D], bias [D] -> [B, heads, T, D / heads] (the
   * bias add and transpose of an attention projection in one pass each way).
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static Operand<TFloat32> splitHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> bias, int heads) {
    return splitHeads(tf, x, bias, heads, 1).get(0);
  }

  /**
   * {@code x + bias} cut into {@code parts} projections along its last axis and each split into
   * heads: x [B, T, parts * D], bias [parts * D] -> parts of [B, heads, T, D / heads] (q, k and v
   * from one fused product, in one pass).
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static List<Operand<TFloat32>> splitHeads(Ops tf, Operand<TFloat32> x, Operand<TFloat32> bias, int heads, int parts) {
    requireLoaded();
    long t = x.shape().size(1);
    long d = x.shape().size(2) / parts;
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(SPLIT_HEADS, SPLIT_HEADS)
        .addInput(x.asOutput()).addInput(bias.asOutput()).setAttr("heads", (long) heads).setAttr("parts", (long) parts).build();
    List<Operand<TFloat32>> out = new java.util.ArrayList<>();
    for (int i = 0; i < parts; i++) {
      // The kernel's output shape is only known when it runs; the reshape gives it statically.
      out.add(tf.reshape(op.<TFloat32>output(i), tf.constant(new long[] {-1, heads, t, d / heads})));
    }
    return out;
  }

  /**
   * Attention weights: the softmax over the last axis of {@code scale * scores} [..., T, S]. With
   * {@code causal}, query i (at sequence position start + i) sees keys 0..start + i only; the
   * others get weight 0. One kernel each way instead of a multiply, a mask add and a softmax.
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static Operand<TFloat32> attentionSoftmax(Ops tf, Operand<TFloat32> scores, Operand<TInt32> start, float scale, boolean causal) {
    requireLoaded();
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(ATTENTION_SOFTMAX, ATTENTION_SOFTMAX)
        .addInput(scores.asOutput()).addInput(start.asOutput()).setAttr("scale", scale).setAttr("causal", causal).build();
    return op.output(0);
  }

  private static void requireLoaded() {
    if (!available()) {
      throw new IllegalStateException("native kernels not loaded: " + unavailable);
    }
  }

  private static String load() {
    if ("off".equalsIgnoreCase(System.getenv().getOrDefault("TESSERA_NATIVE_OPS", ""))) {
      return "TESSERA_NATIVE_OPS=off";
    }
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      return "no native build for " + os + "/" + arch;
    }
    try (InputStream in = NativeOps.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "the api jar has no " + RESOURCE + " (built without a C compiler)";
      }
      Path file = Files.createTempFile("tessera_ops", ".so");
      file.toFile().deleteOnExit();
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      TensorFlow.loadLibrary(file.toString());
    } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
      return "loading " + RESOURCE + " failed: " + e.getMessage();
    }
    java.util.Map<String, org.tensorflow.op.RawCustomGradient> gradients = new java.util.LinkedHashMap<>();
    gradients.put(GROUP_NORM, NativeOps::groupNormGradient);
    gradients.put(LAYER_NORM, NativeOps::layerNormGradient);
    gradients.put(BIAS_GELU, NativeOps::biasGeluGradient);
    gradients.put(RESIDUAL_LAYER_NORM, NativeOps::residualLayerNormGradient);
    gradients.put(SPLIT_HEADS, NativeOps::splitHeadsGradient);
    gradients.put(ATTENTION_SOFTMAX, NativeOps::attentionSoftmaxGradient);
    for (java.util.Map.Entry<String, org.tensorflow.op.RawCustomGradient> g : gradients.entrySet()) {
      if (!TensorFlow.registerCustomGradient(g.getKey(), g.getValue())) {
        return "TensorFlow refused the gradient of " + g.getKey();
      }
    }
    return null;
  }

  /** x and res get the same gradient: that of h from both its uses (the output and the norm). */
  private static List<Operand<?>> residualLayerNormGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(RESIDUAL_LAYER_NORM_GRAD, RESIDUAL_LAYER_NORM_GRAD)
        .addInput(outputGradient(tf, op, gradients, 0)).addInput(outputGradient(tf, op, gradients, 1)).addInput(op.output(0))
        .addInput(op.input(3)).addInput(op.output(2)).setAttr("epsilon", op.attributes().getAttrFloat("epsilon")).build();
    return List.of(grad.output(0), tf.identity(grad.output(0)), grad.output(1), grad.output(2), grad.output(3));
  }

  private static List<Operand<?>> splitHeadsGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    int parts = (int) op.attributes().getAttrInt("parts");
    Output<?>[] dy = new Output<?>[parts];
    for (int i = 0; i < parts; i++) {
      dy[i] = outputGradient(tf, op, gradients, i);
    }
    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(SPLIT_HEADS_GRAD, SPLIT_HEADS_GRAD).addInputList(dy)
        .setAttr("heads", op.attributes().getAttrInt("heads")).setAttr("parts", (long) parts).build();
    return List.of(grad.output(0), grad.output(1));
  }

  /** The start position is an integer: its gradient is zero. */
  private static List<Operand<?>> attentionSoftmaxGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(ATTENTION_SOFTMAX_GRAD, ATTENTION_SOFTMAX_GRAD)
        .addInput(outputGradient(tf, op, gradients)).addInput(op.output(0))
        .setAttr("scale", op.attributes().getAttrFloat("scale")).setAttr("causal", op.attributes().getAttrBool("causal")).build();
    return List.of(grad.output(0), tf.zerosLike(op.input(1)));
  }

  private static List<Operand<?>> layerNormGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(LAYER_NORM_GRAD, LAYER_NORM_GRAD)
        .addInput(outputGradient(tf, op, gradients)).addInput(op.input(0)).addInput(op.input(1)).addInput(op.output(1))
        .setAttr("epsilon", op.attributes().getAttrFloat("epsilon")).build();
    return List.of(grad.output(0), grad.output(1), grad.output(2));
  }

  private static List<Operand<?>> biasGeluGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(BIAS_GELU_GRAD, BIAS_GELU_GRAD)
        .addInput(outputGradient(tf, op, gradients)).addInput(op.input(0)).addInput(op.input(1)).build();
    return List.of(grad.output(0), grad.output(1));
  }

  private static List<Operand<?>> groupNormGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    GraphOperation grad = (GraphOperation) tf.scope().opBuilder(GROUP_NORM_GRAD, GROUP_NORM_GRAD)
        .addInput(outputGradient(tf, op, gradients)).addInput(op.input(0)).addInput(op.input(1)).addInput(op.input(2)).addInput(op.output(1))
        .setAttr("groups", op.attributes().getAttrInt("groups"))
        .setAttr("epsilon", op.attributes().getAttrFloat("epsilon"))
        .setAttr("silu", op.attributes().getAttrBool("silu")).build();
    return List.of(grad.output(0), grad.output(1), grad.output(2));
  }

  /** The gradient of an op's first output (zeros when nothing downstream used it). */
  private static Output<?> outputGradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    return outputGradient(tf, op, gradients, 0);
  }

  /** The gradient of an op's output i (zeros when nothing downstream used it). */
  private static Output<?> outputGradient(Ops tf, GraphOperation op, List<Output<?>> gradients, int i) {
    return gradients.get(i) != null ? gradients.get(i) : tf.zerosLike(op.output(i)).asOutput();
  }
}
