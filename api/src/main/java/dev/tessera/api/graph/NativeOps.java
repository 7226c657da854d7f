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

/**
 * Tessera's own TensorFlow kernels (api/src/main/native/tessera_ops.c: group norm with an
 * optional SiLU, layer norm, bias + GELU), built into the api jar where a C compiler was present,
 * loaded once per process with {@code TensorFlow.loadLibrary}, and their gradients registered.
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
  /** GELU (erf form) of x + bias, bias over the last axis. */
  public static final String BIAS_GELU = "TesseraBiasGelu";
  static final String BIAS_GELU_GRAD = "TesseraBiasGeluGrad";
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
    if (!TensorFlow.registerCustomGradient(GROUP_NORM, NativeOps::groupNormGradient)) {
      return "TensorFlow refused the gradient of " + GROUP_NORM;
    }
    if (!TensorFlow.registerCustomGradient(LAYER_NORM, NativeOps::layerNormGradient)) {
      return "TensorFlow refused the gradient of " + LAYER_NORM;
    }
    if (!TensorFlow.registerCustomGradient(BIAS_GELU, NativeOps::biasGeluGradient)) {
      return "TensorFlow refused the gradient of " + BIAS_GELU;
    }
    return null;
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
    return gradients.get(0) != null ? gradients.get(0) : tf.zerosLike(op.output(0)).asOutput();
  }
}
