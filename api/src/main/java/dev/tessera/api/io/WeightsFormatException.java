package dev.tessera.api.io;

import dev.tessera.api.TesseraException;
import java.nio.file.Path;

/** A weights or config file is malformed; the message names the file and the problem. */
public class WeightsFormatException extends TesseraException {
  public WeightsFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public WeightsFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
