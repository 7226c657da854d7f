package dev.tessera.api;

/**
 * The project's own unchecked exception: every error a user can cause (bad file, unknown name,
 * wrong shape) ends in one of these with a message that names the problem. The CLI prints the
 * message as one line and exits non-zero.
 */
public class TesseraException extends RuntimeException {
  public TesseraException(String message) {
    super(message);
  }

  public TesseraException(String message, Throwable cause) {
    super(message, cause);
  }
}
