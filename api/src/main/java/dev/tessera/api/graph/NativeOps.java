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
  /** 3x3 convolution, stride 1, SAME padding, NHWC, with bias; the output channels a multiple of 16; AVX-512F. */
  public static final String CONV3X3 = "TesseraConv3x3";
  /** No inputs; the vector instructions the kernels were compiled for ({@link #isa()}). */
  static final String BUILD_INFO = "TesseraBuildInfo";
  /** No inputs or outputs; gives stderr back after TensorFlow's start-up lines (quiet_log.c). */
  static final String RELEASE_STDERR = "TesseraReleaseStderr";
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

  /**
   * The vector instructions Tessera's kernels were compiled for: {@code baseline}, those of every
   * kernel (the build's {@code -march}); {@code conv3x3}, those of the 3x3 convolution's blocks
   * (compiled for AVX-512F whatever the baseline, and run only where the CPU has it);
   * {@code conv3x3Runs}, whether this CPU can run them. Names as in /proc/cpuinfo.
   */
  public record Isa(List<String> baseline, List<String> conv3x3, boolean conv3x3Runs) {
    /** "baseline avx2 fma; 3x3 convolution avx512f fma (runs here)". */
    public String describe() {
      return "baseline " + String.join(" ", baseline) + "; 3x3 convolution " + String.join(" ", conv3x3)
          + (conv3x3Runs ? " (runs here)" : " (not on this CPU)");
    }
  }

  /**
   * What the loaded library says it was compiled for (asked once, from its {@code TesseraBuildInfo} op).
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static synchronized Isa isa() {
    requireLoaded();
    if (isa == null) {
      try (org.tensorflow.Graph g = new org.tensorflow.Graph(); org.tensorflow.Session session = new org.tensorflow.Session(g)) {
        GraphOperation op = (GraphOperation) Ops.create(g).scope().opBuilder(BUILD_INFO, BUILD_INFO).build();
        try (org.tensorflow.Result r = session.runner().fetch(op.output(0)).run()) {
          TInt32 bits = (TInt32) r.get(0);
          isa = new Isa(isaNames(bits.getInt(0)), isaNames(bits.getInt(1)), bits.getInt(2) != 0);
        }
      }
    }
    return isa;
  }

  private static Isa isa;

  private static List<String> isaNames(int bits) {
    List<String> names = new java.util.ArrayList<>();
    String[] all = {"avx2", "fma", "avx512f"};
    for (int i = 0; i < all.length; i++) {
      if ((bits & (1 << i)) != 0) {
        names.add(all[i]);
      }
    }
    return List.copyOf(names);
  }

  /**
   * Whether 3x3 convolutions run on {@link #conv3x3} rather than TensorFlow's (oneDNN's) kernel:
   * {@code TESSERA_NATIVE_CONV=on} or {@code off}; by default on where it was measured faster, AMD
   * CPUs of family 26 (Zen 5) and later with AVX-512 (an AMD EPYC, Zen 5: the U-Net's convolutions
   * 1.6-2x faster than oneDNN 3.5's brgemm kernels, docs/benchmarks.md), and off elsewhere: on an AMD
   * EPYC of family 25 (Zen 4, whose AVX-512 runs on 256-bit units) it made the U-Net's training step
   * 1.24x and DDIM sampling 1.15x slower than oneDNN's, and it was not measured on Intel, where
   * oneDNN's figures are recorded. Needs the kernels {@link #available()} and AVX-512F either way.
   */
  public static boolean conv3x3Preferred() {
    return Conv3x3Choice.PREFERRED;
  }

  /** The choice, made once per process. */
  private static final class Conv3x3Choice {
    static final boolean PREFERRED = choose();

    private static boolean choose() {
      return preferredOn(CpuInfo.current(), System.getenv().getOrDefault("TESSERA_NATIVE_CONV", "")) && available();
    }
  }

  /** The rule of {@link #conv3x3Preferred()} for a CPU and a TESSERA_NATIVE_CONV setting, the kernels' loading aside. */
  static boolean preferredOn(CpuInfo cpu, String setting) {
    String s = setting.toLowerCase(Locale.ROOT);
    if (!cpu.has("avx512f") || s.equals("off")) {
      return false;
    }
    return s.equals("on") || cpu.vendor().equals("AuthenticAMD") && family(cpu) >= 26;
  }

  private static int family(CpuInfo cpu) {
    try {
      return Integer.parseInt(cpu.family().strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * A 3x3 convolution of {@code x} [N, H, W, Ci] (H and W known) with {@code kernel} [3, 3, Ci, Co]
   * (Co a multiple of 16), stride 1, SAME padding, plus {@code bias} [Co]: one kernel forward; the
   * input gradient is the same kernel on the flipped weights, the filter gradient TensorFlow's.
   *
   * @throws IllegalStateException if the kernels are not {@link #available()}
   */
  public static Operand<TFloat32> conv3x3(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, Operand<TFloat32> bias) {
    requireLoaded();
    long inChannels = kernel.shape().size(2);
    // Whether the input gradient can run on this kernel too (its output channels are these input
    // channels): an attribute, since a gradient function must not ask the graph for shapes.
    GraphOperation op = (GraphOperation) tf.scope().opBuilder(CONV3X3, CONV3X3)
        .addInput(x.asOutput()).addInput(kernel.asOutput()).addInput(bias.asOutput())
        .setAttr("native_input_gradient", inChannels > 0 && inChannels % 16 == 0).build();
    // The kernel's output shape is only known when it runs; the reshape gives it statically.
    return tf.reshape(op.<TFloat32>output(0), tf.constant(new long[] {-1, x.shape().size(1), x.shape().size(2), kernel.shape().size(3)}));
  }

  /**
   * dx: the same convolution of dy with the kernel flipped in space and its channels swapped (where
   * Ci is a multiple of 16; TensorFlow's otherwise); dkernel: TensorFlow's; dbias: dy summed.
   */
  private static List<Operand<?>> conv3x3Gradient(Ops tf, GraphOperation op, List<Output<?>> gradients) {
    @SuppressWarnings("unchecked")
    Operand<TFloat32> dy = (Operand<TFloat32>) outputGradient(tf, op, gradients);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> x = (Operand<TFloat32>) op.input(0);
    @SuppressWarnings("unchecked")
    Operand<TFloat32> w = (Operand<TFloat32>) op.input(1);
    List<Long> strides = List.of(1L, 1L, 1L, 1L);
    Operand<TFloat32> dx;
    if (op.attributes().getAttrBool("native_input_gradient")) {
      Operand<TFloat32> flipped = tf.linalg.transpose(tf.reverse(w, tf.constant(new int[] {0, 1})), tf.constant(new int[] {0, 1, 3, 2}));
      Operand<TInt32> ci = tf.slice(tf.shape(w), tf.constant(new int[] {2}), tf.constant(new int[] {1}));
      GraphOperation back = (GraphOperation) tf.scope().opBuilder(CONV3X3, CONV3X3 + "_dx")
          .addInput(dy.asOutput()).addInput(flipped.asOutput()).addInput(tf.fill(ci, tf.constant(0f)).asOutput())
          .setAttr("native_input_gradient", false).build();
      dx = tf.reshape(back.<TFloat32>output(0), tf.shape(x));
    } else {
      dx = tf.nn.conv2dBackpropInput(tf.shape(x), w, dy, strides, "SAME");
    }
    Operand<TFloat32> dw = tf.nn.conv2dBackpropFilter(x, tf.shape(w), dy, strides, "SAME");
    Operand<TFloat32> db = tf.reduceSum(dy, tf.constant(new int[] {0, 1, 2}));
    return List.of(dx, dw, db);
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
      releaseStderr();
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
    gradients.put(CONV3X3, NativeOps::conv3x3Gradient);
    for (java.util.Map.Entry<String, org.tensorflow.op.RawCustomGradient> g : gradients.entrySet()) {
      if (!TensorFlow.registerCustomGradient(g.getKey(), g.getValue())) {
        return "TensorFlow refused the gradient of " + g.getKey();
      }
    }
    return null;
  }

  /**
   * Loading the library pointed stderr at a pipe; optimising this one-op graph prints TensorFlow's start-up notices
   * into it, and the op puts stderr back, writing through every other line (quiet_log.c).
   */
  private static void releaseStderr() {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph(); org.tensorflow.Session session = new org.tensorflow.Session(g)) {
      GraphOperation op = (GraphOperation) Ops.create(g).scope().opBuilder(RELEASE_STDERR, RELEASE_STDERR).build();
      session.runner().addTarget(op).run();
    }
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
