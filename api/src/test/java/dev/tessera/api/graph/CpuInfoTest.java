package dev.tessera.api.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The CPU a bench figure was measured on, read from /proc/cpuinfo. */
class CpuInfoTest {
  @Test
  void theFirstProcessorsVendorModelAndExtensions() {
    String amd = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n"
        + "flags\t\t: fpu sse avx2 fma avx512f avx512_bf16 avx512_vnni avx_vnni\n\nprocessor\t: 1\nvendor_id\t: Other\n";
    CpuInfo c = CpuInfo.parse(amd, 2);
    assertEquals("AMD EPYC (AuthenticAMD, family 26 model 2), 2 cores, avx2 fma avx512f avx512_vnni avx512_bf16 avx_vnni", c.describe());
    assertEquals("AMD EPYC (family 26 model 2)", c.identity());
    String intel = "vendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\nmodel name\t: Intel(R) Xeon(R) Platinum 8581C CPU @ 2.10GHz\n"
        + "flags\t\t: avx2 avx512f amx_tile amx_bf16 amx_int8\n";
    assertEquals(List.of("avx2", "avx512f", "amx_tile", "amx_bf16", "amx_int8"), CpuInfo.parse(intel, 4).extensions());
    assertTrue(CpuInfo.parse("", 1).describe().startsWith("? (?, family ? model ?), 1 cores, no AVX2"));
    assertTrue(CpuInfo.current().cores() >= 1);
  }

  @Test
  void oneDnnsInstructionSetFollowsItsOrderOfChecks() {
    org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("ONEDNN_MAX_CPU_ISA") == null);
    assertEquals("avx512_core_amx", isa("avx2 fma avx512f avx512_vnni avx512_bf16 amx_tile amx_bf16"));
    assertEquals("avx512_core_bf16", isa("avx2 fma avx512f avx512_vnni avx512_bf16"));
    assertEquals("avx512_core_vnni", isa("avx2 fma avx512f avx512_vnni"));
    assertEquals("avx512_core", isa("avx2 fma avx512f"));
    assertEquals("avx2_vnni", isa("avx2 fma avx_vnni"));
    assertEquals("avx2", isa("avx2 fma"));
    assertEquals("sse41 or older", isa("sse4_1"));
  }

  private static String isa(String flags) {
    return CpuInfo.parse("vendor_id\t: X\nflags\t\t: " + flags + "\n", 1).onednnIsa();
  }
}
