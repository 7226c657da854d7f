package dev.tessera.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchPartsTest {
  @Test
  void peakMemoryIsReadAndResetToTheResidentSize() {
    long resident = PeakMemory.residentKiB();
    assertTrue(resident > 0, "VmRSS readable");
    java.nio.ByteBuffer big = java.nio.ByteBuffer.allocateDirect(64 << 20); // native memory: fresh pages, unlike the heap
    for (int i = 0; i < big.capacity(); i += 4096) {
      big.put(i, (byte) 1);
    }
    long peak = PeakMemory.peakKiB();
    assertTrue(peak >= resident + 60_000, peak + " vs " + resident);
    big = null;
    if (PeakMemory.reset()) {
      assertTrue(PeakMemory.peakKiB() <= PeakMemory.residentKiB() + 1024);
      PeakMemory.Window w = PeakMemory.start();
      java.nio.ByteBuffer more = java.nio.ByteBuffer.allocateDirect(32 << 20);
      for (int i = 0; i < more.capacity(); i += 4096) {
        more.put(i, (byte) 1);
      }
      assertTrue(w.growthKiB() >= 30_000, "growth " + w.growthKiB());
    }
  }

  /** Counted by hand: 1 layer, width 4, MLP ratio 1, a 1-position prefix from a 2-wide text, 2 codes of 3. */
  @Test
  void gptDecodeFlopsCountedByHand() {
    GptDecodeWork w = new GptDecodeWork(1, 4, 1, 1, 2, 3, 2);
    // per position: 8*16 + 4*16 = 192; prefix: 2*2*1*4 = 16, head 2*4*3 = 24 per code;
    // prefill: 16 + 24 + (192 + 4*1*4); code 2 at position 1: 192 + 4*2*4 + 24
    assertEquals(16 + 24 + 208 + 248, w.cachedFlops());
    assertEquals(2 * 1000, w.uncachedFlops(1000));
  }

  /**
   * The issue's U-Net has as many parameters as benchmarks/pytorch/bench.py's (3,055,937, printed
   * by its UNet there): the two sides run the same network.
   */
  @Test
  void issueUNetHasThePyTorchModelsParameterCount() {
    try (org.tensorflow.Graph g = new org.tensorflow.Graph()) {
      dev.tessera.api.graph.GraphScope scope = dev.tessera.api.graph.GraphScope.root(g);
      var tf = scope.tf();
      new dev.tessera.api.layers.UNet(scope.child("unet"), WorkloadShapes.issue().unet()).apply(
          tf.placeholder(org.tensorflow.types.TFloat32.class, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 32, 32, 1))),
          tf.placeholder(org.tensorflow.types.TFloat32.class, org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1))), null);
      long parameters = 0;
      for (var e : scope.variables().trainable("unet")) {
        parameters += java.util.Arrays.stream(e.shape()).reduce(1, (a, b) -> a * b);
      }
      assertEquals(3_055_937L, parameters);
      assertEquals(864_493_568L, dev.tessera.api.layers.UNet.flops(WorkloadShapes.issue().unet(), 32)); // the same count in bench.py
    }
  }

  @Test
  void tableHasOneRowPerWorkloadWithRatesRatiosMemoryAndOutsideShare() {
    String t = Measurement.table(List.of(new Measurement("matmul", "", 10, 2e9, 2048, 1024, Double.NaN),
        new Measurement("unet_train", "", 20, 1e9, -1, -1, 0.125)), 200);
    String[] lines = t.split("\n");
    assertEquals(3, lines.length);
    assertTrue(lines[0].startsWith("workload"));
    assertEquals(List.of("matmul", "10.000", "200.0", "1.000", "2", "1", "-"), List.of(lines[1].trim().split("\\s+")));
    assertEquals(List.of("unet_train", "20.000", "50.0", "0.250", "-", "-", "12.5%"), List.of(lines[2].trim().split("\\s+")));
  }

  @Test
  void aTrainingStepGivesItsOutsideShareFedOrInGraph() {
    for (BatchFeed.Mode mode : BatchFeed.Mode.values()) {
      Benchmarks.Timing t = Benchmarks.unetTrain(WorkloadShapes.tiny().unet(), 2, 8, new Benchmarks.Options(1, 3, null, mode), "unet_train");
      assertEquals(3, t.samplesMs().length);
      assertTrue(t.outsideRunShare() >= 0 && t.outsideRunShare() < 1, mode + ": " + t.outsideRunShare());
    }
  }

  @Test
  void aWorkloadBelowHalfTheCeilingIsWarnedAbout() {
    List<Measurement> results = List.of(new Measurement("unet_train", "", 10, 0.9e9, -1, -1, 0), // 90 GFLOP/s: 0.45 of 200
        new Measurement("unet_sample", "", 10, 1.2e9, -1, -1, 0), // 0.6
        new Measurement("gpt_decode_cache", "", 10, 0.1e9, -1, -1, 0)); // no target
    List<String> w = Measurement.belowTarget(results, 200);
    org.junit.jupiter.api.Assertions.assertEquals(1, w.size(), w.toString());
    org.junit.jupiter.api.Assertions.assertTrue(w.get(0).startsWith("WARNING: unet_train ran at 0.45 of the matmul ceiling, below the target 0.5"),
        w.get(0));
  }
}
