package dev.tessera.api.io;

import dev.tessera.api.TesseraException;
import java.nio.file.Path;

/** A dataset or image file is missing or malformed; the message is "{@code <file>: <problem>}". */
public class DataFormatException extends TesseraException {
  public DataFormatException(Path file, String problem) {
    super(file + ": " + problem);
  }

  public DataFormatException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
