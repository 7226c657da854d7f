package dev.tessera.runtime.server;

/** A request the server refuses: its HTTP status, the field at fault (or null) and why, one line. */
final class BadRequest extends RuntimeException {
  final int status;
  final String field;

  BadRequest(int status, String field, String message) {
    super(message, null, false, false);
    this.status = status;
    this.field = field;
  }

  static BadRequest field(String field, String message) {
    return new BadRequest(400, field, message);
  }

  static BadRequest notFound(String message) {
    return new BadRequest(404, null, message);
  }
}
