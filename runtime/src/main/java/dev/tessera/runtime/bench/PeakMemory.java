package dev.tessera.runtime.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resident memory of this process from {@code /proc/self/status}: VmHWM (the peak) and VmRSS (now).
 * Writing "5" to {@code /proc/self/clear_refs} (Linux 4.0+) resets the peak to the current resident
 * size, so a peak read after a workload is that workload's own (plus what was resident before it).
 */
public final class PeakMemory {
  private static final Path STATUS = Path.of("/proc/self/status");
  private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

  private PeakMemory() {}

  /** Resets the peak to the current resident size; false where the kernel does not allow it. */
  public static boolean reset() {
    try {
      Files.writeString(CLEAR_REFS, "5");
      return true;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return false;
    }
  }

  /** Peak resident memory over a stretch of work: VmHWM after a reset at its start, and the resident size then. */
  public record Window(long residentAtStartKiB) {
    /** VmHWM now (KiB, -1 unknown): the stretch's peak, including what was resident at its start. */
    public long peakKiB() {
      return PeakMemory.peakKiB();
    }

    /** How far the peak rose above the resident size at the start (KiB, -1 unknown). */
    public long growthKiB() {
      long peak = peakKiB();
      return peak < 0 || residentAtStartKiB < 0 ? -1 : Math.max(0, peak - residentAtStartKiB);
    }
  }

  /** Resets the peak and starts a window; without a reset (old kernels) the peak is the process's so far. */
  public static Window start() {
    reset();
    return new Window(residentKiB());
  }

  /** VmHWM in KiB, or -1 where /proc is missing. */
  public static long peakKiB() {
    return field("VmHWM:");
  }

  /** VmRSS in KiB, or -1 where /proc is missing. */
  public static long residentKiB() {
    return field("VmRSS:");
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).replace("kB", "").trim());
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
