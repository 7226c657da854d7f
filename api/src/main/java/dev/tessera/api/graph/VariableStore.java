package dev.tessera.api.graph;

import dev.tessera.api.TesseraException;
import dev.tessera.api.io.Parameters;
import dev.tessera.api.io.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Every variable of one graph, by dotted name ({@code vqvae.encoder.conv1.kernel}), the way
 * PyTorch and Hugging Face name state-dict keys.
 *
 * <p>Variables are created on the root {@code Ops} (tensorflow/java#413: a '/' in a variable's
 * name breaks optimizers), without TensorFlow initializers: each has a feed placeholder and an
 * assign op, and {@link #initialize}, {@link #load} and {@link #assign} all go through them. So
 * initial values come from Java (deterministic per seed and name), and weights load from any
 * {@link Parameters} map.
 *
 * <p>For data-parallel training with all-reduce, a store can give a task its own copy of every variable
 * ({@link #placedOn}): a view whose {@link #variable}, {@link #entry}, {@link #trainable} and {@link #entries}
 * return that task's copies under the same names. Every write ({@link #initialize}, {@link #load},
 * {@link #assignAll}) sets the variable and all its copies from one fed value, so they start and stay equal where
 * only the same updates run on them; reads ({@link #read}, {@link #snapshot}) read the variable itself.
 */
public final class VariableStore {

  /** What a variable is for, which decides where it is saved. */
  public enum Kind {
    /** Trained by gradient descent; part of the model weights. */
    PARAMETER,
    /** Model state that is not trained by gradients (an EMA codebook); part of the model weights. */
    BUFFER,
    /** Training state only (optimizer moments, step counters, usage statistics): checkpoints only. */
    TRAINING_STATE
  }

  /** One variable and the ops that write it. */
  public record Entry(
      String name,
      long[] shape,
      Kind kind,
      Initializer initializer,
      Variable<TFloat32> variable,
      Placeholder<TFloat32> feed,
      Assign<TFloat32> assign) {
    public boolean trainable() {
      return kind == Kind.PARAMETER;
    }
  }

  public static final Set<Kind> MODEL_WEIGHTS = EnumSet.of(Kind.PARAMETER, Kind.BUFFER);
  public static final Set<Kind> EVERYTHING = EnumSet.allOf(Kind.class);

  /** A variable's (and a scope's) name: what TensorFlow accepts, without a leading '.'. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

  private final Ops root;
  private final Map<String, Entry> entries;
  /** Every copy of each variable ({@link #placedOn}), by name; shared by the store and its views. */
  private final Map<String, List<Entry>> copies;
  /** The views, by label. */
  private final Map<String, VariableStore> views;
  /** Values the variables hold together, held to {@link GraphBudget#MAX_PARAMETERS} (the copies not counted). */
  private final long[] parameters;
  /** In a view: its label, where its copies live and the copies it made; null in the store itself. */
  private final Place place;

  private record Place(String label, Ops tf, Map<String, Entry> own) {}

  public VariableStore(Ops root) {
    this(root, new LinkedHashMap<>(), new LinkedHashMap<>(), new LinkedHashMap<>(), new long[1], null);
  }

  private VariableStore(Ops root, Map<String, Entry> entries, Map<String, List<Entry>> copies, Map<String, VariableStore> views,
      long[] parameters, Place place) {
    this.root = root;
    this.entries = entries;
    this.copies = copies;
    this.views = views;
    this.parameters = parameters;
    this.place = place;
  }

  /**
   * A view of this store whose variables are copies on {@code device}, each named {@code <name>.<label>} in the
   * graph and {@code <name>} in the view (one view per label; asking again returns it). A copy is made when the view
   * first hands the variable out. Writes through any view or the store set the variable and every copy.
   */
  public synchronized VariableStore placedOn(String label, org.tensorflow.DeviceSpec device) {
    if (!NAME.matcher(label).matches()) {
      throw new TesseraException("invalid label for variable copies '" + label + "'");
    }
    if (place != null) {
      throw new IllegalStateException("a view of copies cannot be placed again");
    }
    return views.computeIfAbsent(label,
        k -> new VariableStore(root, entries, copies, views, parameters, new Place(label, root.withDevice(device), new LinkedHashMap<>())));
  }

  /** This view's copy of {@code e} (made on first use); {@code e} itself in the store. */
  private Entry local(Entry e) {
    if (place == null) {
      return e;
    }
    synchronized (views) {
      return place.own().computeIfAbsent(e.name(), name -> {
        String graphName = name + "." + place.label();
        Variable<TFloat32> v = place.tf().withName(graphName).variable(Shape.of(e.shape()), TFloat32.class);
        Assign<TFloat32> assign = place.tf().withName(graphName + ".assign").assign(v, e.feed());
        Entry copy = new Entry(name, e.shape(), e.kind(), e.initializer(), v, e.feed(), assign);
        copies.computeIfAbsent(name, k -> new ArrayList<>()).add(copy);
        return copy;
      });
    }
  }

  /**
   * Returns the variable with this name, creating it on first use. Asking again with the same
   * shape returns the same variable (so two components can share a codebook); another shape or
   * kind is an error.
   */
  public synchronized Variable<TFloat32> variable(
      String name, long[] shape, Initializer initializer, Kind kind) {
    Entry existing = entries.get(name);
    if (existing != null) {
      if (!Arrays.equals(existing.shape(), shape) || existing.kind() != kind) {
        throw new TesseraException(
            "variable '" + name + "' already exists with shape " + Arrays.toString(existing.shape())
                + " (" + existing.kind() + "), asked for " + Arrays.toString(shape) + " (" + kind + ")");
      }
      return local(existing).variable();
    }
    if (!NAME.matcher(name).matches()) {
      throw new TesseraException("invalid variable name '" + name + "': use letters, digits, '_', '-' and '.'");
    }
    parameters[0] = GraphBudget.checkVariable(name, shape, parameters[0]);
    Shape s = Shape.of(shape);
    Variable<TFloat32> v = root.withName(name).variable(s, TFloat32.class);
    Placeholder<TFloat32> feed =
        root.withName(name + ".feed").placeholder(TFloat32.class, Placeholder.shape(s));
    Assign<TFloat32> assign = root.withName(name + ".assign").assign(v, feed);
    Entry created = new Entry(name, shape.clone(), kind, initializer, v, feed, assign);
    entries.put(name, created);
    return local(created).variable();
  }

  /** The variable {@code name} (in a view of copies, its copy). */
  public Entry entry(String name) {
    return local(primary(name));
  }

  private Entry primary(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new TesseraException("no variable '" + name + "'; the graph has " + entries.size() + " variables");
    }
    return e;
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  public Collection<Entry> entries() {
    List<Entry> out = new ArrayList<>();
    for (Entry e : List.copyOf(entries.values())) {
      out.add(local(e));
    }
    return out;
  }

  private List<Entry> primaries(Set<Kind> kinds) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (kinds.contains(e.kind())) {
        out.add(e);
      }
    }
    return out;
  }

  public List<Entry> entries(Set<Kind> kinds) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : primaries(kinds)) {
      out.add(local(e));
    }
    return out;
  }

  /** Trainable variables whose names start with the prefix ("" for all). */
  public List<Entry> trainable(String prefix) {
    List<Entry> out = new ArrayList<>();
    for (Entry e : List.copyOf(entries.values())) {
      if (e.trainable() && e.name().startsWith(prefix)) {
        out.add(local(e));
      }
    }
    return out;
  }

  /** Sets every variable to its initializer's values. Deterministic given the seed. */
  public void initialize(Session session, long seed) {
    Map<String, TensorData> values = new LinkedHashMap<>();
    for (Entry e : entries.values()) {
      if (!(e.initializer() instanceof Initializers.CopyOf)) {
        SplittableRandom random = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * e.name().hashCode()));
        values.put(e.name(), TensorData.ofFloats(e.shape(), e.initializer().values(e.shape(), random)));
      }
    }
    for (Entry e : entries.values()) {
      if (e.initializer() instanceof Initializers.CopyOf copy) {
        TensorData source = values.get(copy.source());
        if (source == null || !Arrays.equals(source.shape(), e.shape())) {
          throw new TesseraException("'" + e.name() + "' copies its initial values from '" + copy.source() + "', which is missing or has another shape");
        }
        values.put(e.name(), source);
      }
    }
    assignAll(session, values);
  }

  /**
   * Loads the variables of the given kinds from {@code parameters}. Every such variable must be
   * present with the right shape; with {@code strict}, tensors the graph does not have are an
   * error too (a weights file for another model).
   */
  public void load(Session session, Parameters parameters, Set<Kind> kinds, boolean strict) {
    Map<String, TensorData> values = new LinkedHashMap<>();
    for (Entry e : primaries(kinds)) {
      TensorData t = parameters.find(e.name());
      if (t == null) {
        throw new TesseraException(
            parameters.source() + ": missing tensor '" + e.name() + "' of shape " + Arrays.toString(e.shape()));
      }
      if (!Arrays.equals(t.shape(), e.shape())) {
        throw new TesseraException(
            parameters.source() + ": tensor '" + e.name() + "' has shape " + Arrays.toString(t.shape())
                + " but the model expects " + Arrays.toString(e.shape()) + " (weights for another config?)");
      }
      values.put(e.name(), t);
    }
    if (strict) {
      for (String name : parameters.names()) {
        if (!values.containsKey(name) && !(entries.containsKey(name) && !kinds.contains(entries.get(name).kind()))) {
          throw new TesseraException(parameters.source() + ": unexpected tensor '" + name + "' not used by this model");
        }
      }
    }
    assignAll(session, values);
  }

  /**
   * Loads the tensors of {@code parameters} whose names are variables of this graph (checking
   * shapes) and ignores the rest: pretrained parts inside a larger model. Returns how many loaded.
   */
  public int loadPresent(Session session, Parameters parameters) {
    Map<String, TensorData> values = new LinkedHashMap<>();
    for (String name : parameters.names()) {
      Entry e = entries.get(name);
      if (e == null) {
        continue;
      }
      TensorData t = parameters.get(name);
      if (!Arrays.equals(t.shape(), e.shape())) {
        throw new TesseraException(parameters.source() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
            + " but the model expects " + Arrays.toString(e.shape()));
      }
      values.put(name, t);
    }
    assignAll(session, values);
    return values.size();
  }

  /** Writes new values into some variables (and every copy of them) in one session run. */
  public void assignAll(Session session, Map<String, TensorData> values) {
    if (values.isEmpty()) {
      return;
    }
    Session.Runner runner = session.runner();
    List<TFloat32> fed = new ArrayList<>();
    try {
      for (Map.Entry<String, TensorData> kv : values.entrySet()) {
        Entry e = primary(kv.getKey());
        TFloat32 t = Tensors.floats(e.shape(), kv.getValue().toFloats());
        fed.add(t);
        runner.feed(e.feed(), t).addTarget(e.assign());
        for (Entry copy : copies.getOrDefault(e.name(), List.of())) {
          runner.addTarget(copy.assign());
        }
      }
      runner.run().close();
    } finally {
      fed.forEach(TFloat32::close);
    }
  }

  public void assign(Session session, String name, float[] values) {
    Entry e = primary(name);
    assignAll(session, Map.of(name, TensorData.ofFloats(e.shape(), values)));
  }

  public float[] read(Session session, String name) {
    try (Result r = session.runner().fetch(primary(name).variable()).run()) {
      return Tensors.toFloats(r.get(0));
    }
  }

  /** Fetches the current values of the variables of the given kinds, in one run (the variables, not their copies). */
  public Parameters snapshot(Session session, Set<Kind> kinds) {
    List<Entry> list = primaries(kinds);
    Parameters out = new Parameters("snapshot");
    if (list.isEmpty()) {
      return out;
    }
    Session.Runner runner = session.runner();
    for (Entry e : list) {
      runner.fetch(e.variable());
    }
    try (Result r = runner.run()) {
      for (int i = 0; i < list.size(); i++) {
        Entry e = list.get(i);
        out.put(e.name(), TensorData.ofFloats(e.shape(), Tensors.toFloats(r.get(i))));
      }
    }
    return out;
  }

  /** Total number of scalar values in variables of the given kinds. */
  public long count(Set<Kind> kinds) {
    long n = 0;
    for (Entry e : primaries(kinds)) {
      n += Initializer.numElements(e.shape());
    }
    return n;
  }
}
