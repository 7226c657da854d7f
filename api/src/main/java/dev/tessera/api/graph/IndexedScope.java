package dev.tessera.api.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.regex.Pattern;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Graph;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * TensorFlow Java's {@code OpScope} naming, without its cost: {@code OpScope.withSubScope} scans
 * every operation already in the graph (through JNI, {@code NameScope.importIdsFrom}) to learn the
 * names used under the new prefix, so building a model of n operations in nested scopes costs
 * O(n^2) native calls; measured, about a seventh of {@code generate}'s start-up for clip-diffusion.
 * Here the names used under each prefix are counted in one map per graph, shared by every scope
 * over it, and an operation name is also checked against the graph itself (one native hash
 * lookup) before it is used, so operations that other code adds to the graph cannot collide either.
 *
 * <p>Otherwise it does what {@code OpScope} does: "name", "name_1", ... per prefix; {@code
 * withName} names the next operation; devices; control dependencies (an init scope keeps none that
 * are not initializers, and refuses them); the init scope.
 */
final class IndexedScope implements Scope {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");
  /** Per graph: prefix -> base name -> next free suffix (the root's count is the graph's base scope's). */
  private static final Map<Graph, Map<String, Map<String, Integer>>> USED = Collections.synchronizedMap(new WeakHashMap<>());

  private final Graph graph;
  private final Map<String, Map<String, Integer>> used;
  private final String prefix; // null at the root
  private final String opName; // set by withName, else null
  private final List<Operation> controls;
  private final DeviceSpec device;
  private final boolean init;

  private IndexedScope(Graph graph, Map<String, Map<String, Integer>> used, String prefix, String opName, List<Operation> controls,
      DeviceSpec device, boolean init) {
    this.graph = graph;
    this.used = used;
    this.prefix = prefix;
    this.opName = opName;
    this.controls = controls;
    this.device = device;
    this.init = init;
  }

  /** An {@link Ops} over {@code graph} whose scopes are indexed ones. */
  static Ops ops(Graph graph) {
    Map<String, Map<String, Integer>> used = USED.computeIfAbsent(graph, g -> new HashMap<>());
    IndexedScope root = new IndexedScope(graph, used, null, null, List.of(), DeviceSpec.newBuilder().build(), false);
    return Ops.create(new Environment(graph, root));
  }

  @Override
  public ExecutionEnvironment env() {
    return graph;
  }

  @Override
  public Scope withSubScope(String childName) {
    String name = opName != null ? opName : childName;
    check(name);
    return new IndexedScope(graph, used, qualify(unique(name, false)), null, controls, device, init);
  }

  @Override
  public Scope withName(String name) {
    check(name);
    return new IndexedScope(graph, used, prefix, name, controls, device, init);
  }

  @Override
  public Scope withNameAsSubScope(String name) {
    return new IndexedScope(graph, used, makeOpName(name), null, controls, device, init);
  }

  @Override
  public Scope withDevice(DeviceSpec newDevice) {
    return new IndexedScope(graph, used, prefix, opName, controls, newDevice, init);
  }

  @Override
  public Scope withInitScope() {
    return new IndexedScope(graph, used, prefix, opName, List.of(), device, true);
  }

  @Override
  public String makeOpName(String defaultName) {
    String name = opName != null ? opName : defaultName;
    check(name);
    return qualify(unique(name, true));
  }

  @Override
  public String makeUnique(String id) {
    return unique(id, false);
  }

  @Override
  public void refreshNames() {
    // Names are checked against the graph as they are made: nothing to refresh.
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> ops) {
    List<Operation> kept = new ArrayList<>();
    for (Operation op : ops) {
      graph.checkInput(op);
      if (init && !graph.isInitializer(op)) {
        throw new IllegalArgumentException("Init scope can not have non-init control dependency.");
      }
      if (init || !graph.isInitializer(op)) {
        kept.add(op);
      }
    }
    return new IndexedScope(graph, used, prefix, opName, List.copyOf(kept), device, init);
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    builder.setDevice(device.toString());
    for (Operation op : controls) {
      if (init || !graph.isInitializer(op)) {
        builder.addControlInput(op);
      }
    }
    return builder;
  }

  @Override
  public String getDeviceString() {
    return device.toString();
  }

  @Override
  public boolean isInit() {
    return init;
  }

  /**
   * {@code name}, or {@code name_k} for the first k that is free under this prefix (and, for an
   * operation, in the graph). At the root the graph's own base scope keeps the count, as it does for
   * every {@code Ops.create(graph)}, so that TensorFlow's scopes and these never pick the same name.
   */
  private String unique(String name, boolean operation) {
    if (prefix == null) {
      synchronized (used) {
        Scope base = graph.baseScope();
        String candidate = base.makeUnique(name);
        while (operation && graph.operation(candidate) != null) {
          candidate = base.makeUnique(name);
        }
        return candidate;
      }
    }
    synchronized (used) {
      Map<String, Integer> ids = used.computeIfAbsent(prefix, p -> new HashMap<>());
      Integer next = ids.get(name);
      String candidate = next == null ? name : name + "_" + next;
      int k = next == null ? 0 : next;
      while (ids.containsKey(candidate) && !candidate.equals(name) || operation && graph.operation(qualify(candidate)) != null) {
        k++;
        candidate = name + "_" + k;
      }
      ids.put(name, k + 1);
      if (!candidate.equals(name)) {
        ids.putIfAbsent(candidate, 1);
      }
      return candidate;
    }
  }

  private String qualify(String name) {
    return prefix == null ? name : prefix + "/" + name;
  }

  private static void check(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid name " + name);
    }
  }

  /** Hands {@link Ops#create} the indexed root scope; everything else is the graph's. */
  private record Environment(Graph graph, Scope root) implements ExecutionEnvironment {
    @Override
    public OperationBuilder opBuilder(String type, String name, Scope scope) {
      return graph.opBuilder(type, name, scope);
    }

    @Override
    public void attachFunction(ConcreteFunction function) {
      graph.attachFunction(function);
    }

    @Override
    public void checkInput(Operation input) {
      graph.checkInput(input);
    }

    @Override
    public Types environmentType() {
      return graph.environmentType();
    }

    @Override
    public Scope baseScope() {
      return root;
    }

    @Override
    public boolean isInitializer(Operation operation) {
      return graph.isInitializer(operation);
    }
  }
}
