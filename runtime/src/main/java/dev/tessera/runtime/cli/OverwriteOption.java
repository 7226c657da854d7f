package dev.tessera.runtime.cli;

import dev.tessera.api.io.OutputFolder;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --overwrite}, shared by every command that writes a folder: see {@link OutputFolder} for the rule. */
final class OverwriteOption {
  @Option(names = "--overwrite", description = "Write into a folder that is not empty: replaces the files an earlier run of this "
      + "command wrote there and nothing else. Without it a non-empty output folder is refused.")
  boolean overwrite;

  /** Checks {@code dir} before any work; {@link OutputFolder#prepare} then creates (and under --overwrite clears) it. */
  OutputFolder check(Path dir, String option, List<String> patterns) {
    return OutputFolder.check(dir, option, overwrite, patterns);
  }

  /** {@code dir}, to name the command's inputs ({@link OutputFolder#notOverlapping}) before {@link OutputFolder#check}. */
  OutputFolder folder(Path dir, String option, List<String> patterns) {
    return OutputFolder.at(dir, option, overwrite, patterns);
  }
}
