package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Tessera's kernels use the vector instructions of the machine they run on: the library reports
 * what it was compiled for (its {@code TesseraBuildInfo} op) and this test holds it against the
 * CPU's flags. A build with a narrower {@code -march}, or a 3x3 convolution compiled without its
 * AVX-512 target, fails here on any machine that has those instructions.
 *
 * <p>The element-wise kernels (norms, GELU, softmax) stay at the x86-64-v3 baseline (AVX2 + FMA)
 * on AVX-512 machines too: they are bound by memory, and an x86-64-v4 build measured no difference
 * on the U-Net's group norms (docs/benchmarks.md). The compute-bound convolution is the kernel
 * compiled for AVX-512.
 */
class NativeIsaTest {
  @Test
  void kernelsAreBuiltForThisMachinesVectorUnits() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    assumeTrue(os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64")), "native kernels are built for Linux x86-64 only");
    assumeTrue(!"off".equalsIgnoreCase(System.getenv().getOrDefault("TESSERA_NATIVE_OPS", "")), "TESSERA_NATIVE_OPS=off");
    // On Linux x86-64 with a C compiler (the build requires one there) the library must load.
    assertTrue(NativeOps.available(), "native kernels not loaded: " + NativeOps.status());
    CpuInfo cpu = CpuInfo.current();
    NativeOps.Isa isa = NativeOps.isa();
    for (String ext : new String[] {"avx2", "fma"}) {
      if (cpu.has(ext)) {
        assertTrue(isa.baseline().contains(ext), "the kernels were built without " + ext + ", which this CPU has: " + isa.describe());
      }
    }
    if (cpu.has("avx512f")) {
      assertTrue(isa.conv3x3().contains("avx512f"), "the 3x3 convolution was built without AVX-512F: " + isa.describe());
      assertTrue(isa.conv3x3Runs(), "this CPU reports avx512f but the kernel's own check disagrees: " + isa.describe());
    } else {
      assertTrue(!isa.conv3x3Runs(), "the kernel claims AVX-512F on a CPU without it: " + isa.describe());
    }
  }

  @Test
  void describesWhatItWasBuiltFor() {
    NativeOps.Isa isa = new NativeOps.Isa(java.util.List.of("avx2", "fma"), java.util.List.of("fma", "avx512f"), true);
    assertTrue(isa.describe().equals("baseline avx2 fma; 3x3 convolution fma avx512f (runs here)"), isa.describe());
  }

  @Test
  void ownConvolutionOnlyWhereItWasMeasuredFaster() {
    CpuInfo zen5 = cpu("AuthenticAMD", 26, 2, "avx2 fma avx512f");
    CpuInfo zen4 = cpu("AuthenticAMD", 25, 17, "avx2 fma avx512f");
    CpuInfo zen3 = cpu("AuthenticAMD", 25, 1, "avx2 fma");
    CpuInfo xeon = cpu("GenuineIntel", 6, 207, "avx2 fma avx512f amx_tile");
    assertTrue(NativeOps.preferredOn(zen5, ""), "Zen 5: 1.6-2x faster than oneDNN's convolutions");
    assertFalse(NativeOps.preferredOn(zen4, ""), "Zen 4: 1.15-1.24x slower than oneDNN's");
    assertFalse(NativeOps.preferredOn(xeon, ""), "Intel: not measured, oneDNN's figures stand");
    assertTrue(NativeOps.preferredOn(zen4, "on"));
    assertTrue(NativeOps.preferredOn(xeon, "ON"));
    assertFalse(NativeOps.preferredOn(zen5, "off"));
    assertFalse(NativeOps.preferredOn(zen3, "on"), "the kernel needs AVX-512F");
  }

  private static CpuInfo cpu(String vendor, int family, int model, String flags) {
    return CpuInfo.parse("vendor_id\t: " + vendor + "\ncpu family\t: " + family + "\nmodel\t\t: " + model + "\nmodel name\t: X\nflags\t\t: "
        + flags + "\n", 2);
  }
}
