package dev.tessera.api.graph;

import dev.tessera.api.io.Parameters;
import java.util.function.Function;
import org.tensorflow.Graph;
import org.tensorflow.Session;

/**
 * A graph a pipeline builds once and a session over it with the model weights loaded: what
 * every one-graph pipeline owns. {@link #build} runs the builder on a fresh graph placed on the
 * device, then opens the session and loads the weights (every variable must be there); when any
 * of that fails, it closes what it opened before the error propagates. {@link #close} closes
 * the session, then the graph.
 *
 * @param <T> what the builder returns: the placeholders and outputs the pipeline runs
 */
public final class LoadedGraph<T> implements AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final long parameters;
  private final T parts;

  private LoadedGraph(Graph graph, Session session, long parameters, T parts) {
    this.graph = graph;
    this.session = session;
    this.parameters = parameters;
    this.parts = parts;
  }

  public static <T> LoadedGraph<T> build(String device, Parameters weights, Function<GraphScope, T> builder) {
    Graph graph = new Graph();
    try {
      GraphScope root = GraphScope.root(graph, SessionFactory.device(device));
      T parts = builder.apply(root);
      Session session = SessionFactory.createLoaded(graph, root.variables(), weights);
      return new LoadedGraph<>(graph, session, root.variables().count(VariableStore.MODEL_WEIGHTS), parts);
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  public T parts() {
    return parts;
  }

  public Session session() {
    return session;
  }

  /** Parameters and buffers in the graph (the weights it runs). */
  public long parameters() {
    return parameters;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
