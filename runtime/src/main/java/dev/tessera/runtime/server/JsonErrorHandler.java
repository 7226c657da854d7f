package dev.tessera.runtime.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answers to requests it refuses before any route sees them (a malformed or ambiguous
 * URI, a bad header): the same one-line JSON error as every other refusal, not an HTML page.
 */
final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
  static byte[] body(int status, String message) {
    String why = message == null || message.isBlank() ? "the request is malformed (HTTP " + status + ")" : message.replace('\n', ' ');
    return GenerationServer.toJson(Map.of("error", why)).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean errorPageForMethod(String method) {
    return true; // Jetty's default answers PUT, PATCH and DELETE with an empty body
  }

  @Override
  protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback)
      throws IOException {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body(code, message)), callback);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
    return ByteBuffer.wrap(body(status, reason));
  }

  /** The same for refusals made inside the servlet context (an ambiguous path segment such as "..;"). */
  static final class Servlet extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    public boolean errorPageForMethod(String method) {
      return true;
    }

    @Override
    protected boolean generateAcceptableResponse(Request request, Response response, Callback callback, String contentType,
        java.util.List<java.nio.charset.Charset> charsets, int code, String message, Throwable cause) throws IOException {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.write(true, ByteBuffer.wrap(body(code, message)), callback);
      return true;
    }
  }
}
