package dev.tessera.api.graph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which CPU a figure was measured on, from {@code /proc/cpuinfo}: vendor, model name, family and
 * model, the vector and matrix extensions oneDNN can use, and the cores this JVM sees. Printed by
 * every {@code bench} run, because the machines this project runs on differ (an Intel Xeon with
 * AMX, an AMD EPYC without) and a ratio means little without them.
 *
 * @param extensions those of {@link #EXTENSIONS} the CPU reports, in that order
 */
public record CpuInfo(String vendor, String model, String family, String modelNumber, List<String> extensions, int cores) {
  /** The instruction-set flags that decide oneDNN's kernels (brgemm with AMX or AVX-512 bf16/VNNI, else AVX2). */
  public static final List<String> EXTENSIONS = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile",
      "amx_bf16", "amx_int8");

  /** Whether the CPU has one of {@link #EXTENSIONS} ("avx512f"). */
  public boolean has(String extension) {
    return extensions.contains(extension);
  }

  /** This machine's, or "unknown" fields where /proc/cpuinfo is missing (not Linux). */
  public static CpuInfo current() {
    try {
      return parse(Files.readString(Path.of("/proc/cpuinfo")), Runtime.getRuntime().availableProcessors());
    } catch (IOException | RuntimeException e) {
      return new CpuInfo("unknown", "unknown", "?", "?", List.of(), Runtime.getRuntime().availableProcessors());
    }
  }

  /** Reads the first processor's entry of a /proc/cpuinfo text. */
  static CpuInfo parse(String cpuinfo, int cores) {
    String vendor = field(cpuinfo, "vendor_id");
    String model = field(cpuinfo, "model name");
    String family = field(cpuinfo, "cpu family");
    String number = field(cpuinfo, "model");
    List<String> flags = List.of(field(cpuinfo, "flags").split("\\s+"));
    List<String> ext = new ArrayList<>();
    for (String e : EXTENSIONS) {
      if (flags.contains(e)) {
        ext.add(e);
      }
    }
    return new CpuInfo(vendor, model, family, number, List.copyOf(ext), cores);
  }

  private static String field(String cpuinfo, String name) {
    for (String line : cpuinfo.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equals(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    return "?";
  }

  /**
   * The instruction set oneDNN dispatches its kernels to on this CPU, by oneDNN's own order of
   * checks ({@code get_max_cpu_isa}: AMX, then AVX-512 with bf16, with VNNI, plain, then AVX2 with
   * VNNI, AVX2), in its names; {@code ONEDNN_VERBOSE=1} prints the same in its {@code isa:} line
   * (on the EPYC here: "avx512_core_bf16", "Intel AVX-512 with Intel DL Boost and bfloat16
   * support"). {@code ONEDNN_MAX_CPU_ISA} in the environment caps it.
   */
  public String onednnIsa() {
    String isa = has("amx_tile") && has("amx_bf16") ? "avx512_core_amx"
        : has("avx512_bf16") ? "avx512_core_bf16"
        : has("avx512_vnni") ? "avx512_core_vnni"
        : has("avx512f") ? "avx512_core"
        : has("avx_vnni") ? "avx2_vnni"
        : has("avx2") ? "avx2"
        : "sse41 or older";
    String cap = System.getenv("ONEDNN_MAX_CPU_ISA");
    return cap == null || cap.isBlank() ? isa : isa + " (capped by ONEDNN_MAX_CPU_ISA=" + cap + ")";
  }

  /**
   * The CPU model as far as kernels can tell: "AMD EPYC (family 26 model 2)". The model name alone is not enough:
   * cloud machines report "AMD EPYC" for Zen 4 (family 25 model 17) and Zen 5 (family 26 model 2) alike.
   */
  public String identity() {
    return String.format(Locale.ROOT, "%s (family %s model %s)", model, family, modelNumber);
  }

  /** "AMD EPYC (AuthenticAMD, family 26 model 2), 2 cores, avx2 fma avx512f avx512_vnni avx512_bf16 avx_vnni". */
  public String describe() {
    return String.format(Locale.ROOT, "%s (%s, family %s model %s), %d cores, %s", model, vendor, family, modelNumber, cores,
        extensions.isEmpty() ? "no AVX2/AVX-512/AMX" : String.join(" ", extensions));
  }
}
