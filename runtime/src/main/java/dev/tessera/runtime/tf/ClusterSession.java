package dev.tessera.runtime.tf;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetRequestedDevice;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * What TensorFlow Java 1.1.0's public API lacks for the distributed runtime, and the only Tessera
 * code that reaches into TensorFlow's internals (see ../shared/TF-JAVA-NOTES.md):
 *
 * <ul>
 *   <li>a {@link Session} on a server target ({@code grpc://host:port}): the public constructors
 *       always make a local session, so the session is made with the C API bundled in the jar
 *       ({@code TF_SetTarget}, {@code TF_Session.newSession}) and wrapped with the package-private
 *       {@code Session(Graph, TF_Session)} constructor;
 *   <li>placing ops that were built without a device: {@code Graph.addGradients} ignores the
 *       scope's device, so the gradient ops of a replica get their device afterwards with
 *       {@code TF_SetRequestedDevice}.
 * </ul>
 *
 * If a TensorFlow upgrade breaks either, this class and its test are where it shows.
 */
public final class ClusterSession {
  private ClusterSession() {}

  /**
   * Opens a session whose master is the server at {@code target}. Initializers are not run (the
   * caller assigns every variable); the session is closed by its owner as any other.
   */
  public static Session open(Graph graph, String target, ConfigProto config) {
    TF_Session handle;
    try (PointerScope scope = new PointerScope()) {
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      TF_SetTarget(options, target);
      BytePointer bytes = new BytePointer(config.toByteArray());
      TF_SetConfig(options, bytes, bytes.capacity(), status);
      status.throwExceptionIfNotOK();
      handle = TF_Session.newSession(nativeGraph(graph), options, status);
      status.throwExceptionIfNotOK();
      handle.retainReference(); // outlives the pointer scope; Session.close() releases it
    }
    try {
      Constructor<Session> wrap = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      wrap.setAccessible(true);
      return wrap.newInstance(graph, handle);
    } catch (ReflectiveOperationException e) {
      handle.releaseReference();
      throw new IllegalStateException("this TensorFlow Java has no Session(Graph, TF_Session) constructor: " + e, e);
    }
  }

  /**
   * Runs {@code build} and places every op it added to {@code graph} on {@code device}, whatever
   * device it asked for: the way to put a replica's gradient ops on that replica's worker.
   */
  public static <T> T placeNewOps(Graph graph, DeviceSpec device, Supplier<T> build) {
    Set<String> before = new HashSet<>();
    graph.operations().forEachRemaining(op -> before.add(op.name()));
    T result = build.get();
    List<GraphOperation> added = new ArrayList<>();
    graph.operations().forEachRemaining(op -> {
      if (!before.contains(op.name())) {
        added.add(op);
      }
    });
    TF_Graph handle = nativeGraph(graph);
    String name = device.toString();
    for (GraphOperation op : added) {
      TF_SetRequestedDevice(handle, op.getUnsafeNativeHandle(), name);
    }
    return result;
  }

  private static TF_Graph nativeGraph(Graph graph) {
    try {
      Field field = Graph.class.getDeclaredField("nativeHandle");
      field.setAccessible(true);
      TF_Graph handle = (TF_Graph) field.get(graph);
      if (handle == null || handle.isNull()) {
        throw new IllegalStateException("the graph is closed");
      }
      return handle;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("this TensorFlow Java has no Graph.nativeHandle field: " + e, e);
    }
  }
}
