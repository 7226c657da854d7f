package dev.tessera.api.testing;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every reader of untrusted files meets, as a shared test base: damaged files are
 * read correctly or refused with the project's own exception naming the file, never anything
 * else (see {@link FuzzCampaign}). A subclass gives its format's {@link FuzzTarget} and its share
 * of the default run's 1,000 cases; the {@code long} profile ({@code mvn -P long}) runs ten times
 * as many.
 */
public abstract class HostileFileTest {
  /** How many times more cases the long profile runs than the default one. */
  public static final int LONG_RUN_FACTOR = 10;

  /** The format under test, writing its damaged files into {@code dir}. */
  protected abstract FuzzTarget<?> target(Path dir) throws Exception;

  /** This format's cases in the default run. */
  protected abstract int cases();

  @Test
  void damagedFilesAreReadOrRefusedClearly(@TempDir Path dir) throws Exception {
    FuzzCampaign.run(target(dir), cases());
  }

  @Test
  @Tag("long")
  void tenTimesAsManyDamagedFiles(@TempDir Path dir) throws Exception {
    FuzzCampaign.run(target(dir), cases() * LONG_RUN_FACTOR);
  }
}
