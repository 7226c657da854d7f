package dev.tessera.api.layers;

import dev.tessera.api.graph.GraphScope;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * An epsilon-prediction U-Net (Ronneberger et al. 2015 as used by Ho et al. 2020): a sinusoidal
 * time embedding through an MLP (plus an optional condition vector, projected and added), a down
 * path of {@link UNetBlock}s per level with strided-convolution downsampling, a middle with
 * self-attention, an up path that concatenates the down path's activations (skip connections) and
 * upsamples by nearest-neighbour resize and convolution, self-attention at the listed levels.
 *
 * <p>With a context (a prompt's per-token states, {@code contextDim} wide), every place that has
 * self-attention (the listed levels and the middle) is followed by cross-attention to it
 * ({@link SpatialCrossAttention}), the way latent diffusion reads text (Rombach et al. 2022).
 *
 * <p>Two skip layouts: DDPM's (Ho et al. 2020), where the up path has one block more per level than
 * the down path and concatenates every down-path activation (the input convolution's, each
 * block's and each downsampling's); and the plain one, the same number of blocks up and down,
 * each up block concatenating the output of its mirror-image down block.
 */
public final class UNet {
  /**
   * @param channels per level, e.g. {32, 64, 128} at 32/16/8
   * @param blocksPerLevel residual blocks per level on the way down (the way up has one more)
   * @param attentionLevels levels (indices into channels) that get self-attention
   * @param embedDim time-embedding width
   * @param conditionDim size of the condition vector (0: unconditional)
   * @param upBlocksPerLevel blocks per level on the way up: blocksPerLevel + 1 (DDPM's skips) or
   *     blocksPerLevel (one skip per down block)
   * @param contextDim width of the context's per-token states (0: no cross-attention)
   * @param contextLength the context's token count (for {@link #flops}; 0 without a context)
   */
  public record Config(int imageChannels, int[] channels, int blocksPerLevel, int[] attentionLevels, int embedDim,
      int conditionDim, int groups, int heads, int upBlocksPerLevel, int contextDim, int contextLength) {
    public Config {
      if (upBlocksPerLevel != blocksPerLevel && upBlocksPerLevel != blocksPerLevel + 1) {
        throw new IllegalArgumentException("upBlocksPerLevel must be blocksPerLevel (" + blocksPerLevel + ") or one more, got " + upBlocksPerLevel);
      }
      if (contextDim < 0 || contextLength < 0) {
        throw new IllegalArgumentException("contextDim and contextLength must not be negative");
      }
    }

    public Config(int imageChannels, int[] channels, int blocksPerLevel, int[] attentionLevels, int embedDim, int conditionDim, int groups,
        int heads, int upBlocksPerLevel) {
      this(imageChannels, channels, blocksPerLevel, attentionLevels, embedDim, conditionDim, groups, heads, upBlocksPerLevel, 0, 0);
    }

    /** The same U-Net with cross-attention to a context of {@code length} tokens of {@code dim} values. */
    public Config withContext(int dim, int length) {
      return new Config(imageChannels, channels, blocksPerLevel, attentionLevels, embedDim, conditionDim, groups, heads, upBlocksPerLevel,
          dim, length);
    }

    /** DDPM's layout: one block more on the way up, every down-path activation a skip. */
    public Config(int imageChannels, int[] channels, int blocksPerLevel, int[] attentionLevels, int embedDim, int conditionDim, int groups,
        int heads) {
      this(imageChannels, channels, blocksPerLevel, attentionLevels, embedDim, conditionDim, groups, heads, blocksPerLevel + 1);
    }

    /** Whether the input convolution and the downsamplings are skips too (DDPM's layout). */
    boolean everyStageIsSkip() {
      return upBlocksPerLevel == blocksPerLevel + 1;
    }
  }

  private final Ops tf;
  private final GraphScope scope;
  private final Config c;

  public UNet(GraphScope scope, Config config) {
    this.tf = scope == null ? null : scope.tf();
    this.scope = scope;
    this.c = config;
  }

  /**
   * Forward FLOPs (2 x multiply-adds of convolutions and matmuls) for one image of side
   * {@code size}, following the same structure as {@link #apply}.
   */
  public static long flops(Config c, int size) {
    int levels = c.channels().length;
    long e = c.embedDim() * 4L;
    long f = 2L * c.embedDim() * e + 2L * e * e + (c.conditionDim() > 0 ? 2L * c.conditionDim() * e : 0);
    long s = size;
    f += Conv2d.flops(s, s, 3, c.imageChannels(), c.channels()[0]);
    List<Long> skipChannels = new ArrayList<>();
    if (c.everyStageIsSkip()) {
      skipChannels.add((long) c.channels()[0]);
    }
    long ch = c.channels()[0];
    UNet probe = new UNet(null, c);
    for (int level = 0; level < levels; level++) {
      for (int b = 0; b < c.blocksPerLevel(); b++) {
        f += UNetBlock.flops(s, s, ch, c.channels()[level]) + 2L * e * c.channels()[level];
        ch = c.channels()[level];
        if (probe.attentionAt(level)) {
          f += probe.attentionFlops(s * s, ch);
        }
        skipChannels.add(ch);
      }
      if (level < levels - 1) {
        f += Conv2d.flops(s / 2, s / 2, 3, ch, ch);
        s /= 2;
        if (c.everyStageIsSkip()) {
          skipChannels.add(ch);
        }
      }
    }
    f += 2 * (UNetBlock.flops(s, s, ch, ch) + 2L * e * ch) + probe.attentionFlops(s * s, ch);
    for (int level = levels - 1; level >= 0; level--) {
      for (int b = 0; b < c.upBlocksPerLevel(); b++) {
        long sc = skipChannels.remove(skipChannels.size() - 1);
        f += UNetBlock.flops(s, s, ch + sc, c.channels()[level]) + 2L * e * c.channels()[level];
        ch = c.channels()[level];
        if (probe.attentionAt(level)) {
          f += probe.attentionFlops(s * s, ch);
        }
      }
      if (level > 0) {
        s *= 2;
        f += Conv2d.flops(s, s, 3, ch, ch);
      }
    }
    return f + Conv2d.flops(s, s, 3, ch, c.imageChannels());
  }

  /** Self-attention over t pixels of ch channels, plus cross-attention to the context where there is one. */
  private long attentionFlops(long t, long ch) {
    return MultiHeadAttention.flops(t, ch) + (c.contextDim() > 0 ? CrossAttention.flops(t, c.contextLength(), ch, c.contextDim()) : 0);
  }

  private boolean attentionAt(int level) {
    for (int l : c.attentionLevels()) {
      if (l == level) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param x [N, S, S, imageChannels] noisy images
   * @param timesteps [N] float
   * @param condition [N, conditionDim] or null
   * @return the predicted noise, shaped like x
   */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> timesteps, Operand<TFloat32> condition) {
    return apply(x, timesteps, condition, null, null);
  }

  /**
   * @param context [N, S, contextDim] per-token states the cross-attention reads (required when
   *     the config has a contextDim, ignored otherwise)
   * @param contextMask [N, S] 1 for the tokens to attend to, 0 for padding; null attends to all
   */
  public Operand<TFloat32> apply(Operand<TFloat32> x, Operand<TFloat32> timesteps, Operand<TFloat32> condition, Operand<TFloat32> context,
      Operand<TFloat32> contextMask) {
    if (c.contextDim() > 0 && context == null) {
      throw new IllegalArgumentException("this U-Net cross-attends to a context: pass the per-token states");
    }
    int levels = c.channels().length;
    Operand<TFloat32> emb = SinusoidalEmbedding.apply(tf, timesteps, c.embedDim());
    emb = new Dense(scope.child("time_mlp1"), c.embedDim(), c.embedDim() * 4L).apply(emb);
    emb = new Dense(scope.child("time_mlp2"), c.embedDim() * 4L, c.embedDim() * 4L).apply(Activations.silu(tf, emb));
    long e = c.embedDim() * 4L;
    if (c.conditionDim() > 0) {
      if (condition == null) {
        throw new IllegalArgumentException("this U-Net is conditional: pass a condition vector");
      }
      emb = tf.math.add(emb, new Dense(scope.child("condition"), c.conditionDim(), e).apply(condition));
    }
    Operand<TFloat32> h = new Conv2d(scope.child("conv_in"), c.imageChannels(), c.channels()[0], 3).apply(x);
    List<Operand<TFloat32>> skips = new ArrayList<>();
    List<Long> skipChannels = new ArrayList<>();
    if (c.everyStageIsSkip()) {
      skips.add(h);
      skipChannels.add((long) c.channels()[0]);
    }
    long ch = c.channels()[0];
    for (int level = 0; level < levels; level++) {
      for (int b = 0; b < c.blocksPerLevel(); b++) {
        GraphScope s = scope.child("down" + level + "_" + b);
        h = new UNetBlock(s.child("res"), ch, c.channels()[level], e, c.groups()).apply(h, emb);
        ch = c.channels()[level];
        if (attentionAt(level)) {
          h = attend(s, h, ch, context, contextMask);
        }
        skips.add(h);
        skipChannels.add(ch);
      }
      if (level < levels - 1) {
        h = new Conv2d(scope.child("down" + level + "_sample"), ch, ch, 3, 2).apply(h);
        if (c.everyStageIsSkip()) {
          skips.add(h);
          skipChannels.add(ch);
        }
      }
    }
    h = new UNetBlock(scope.child("mid_res1"), ch, ch, e, c.groups()).apply(h, emb);
    h = new SpatialSelfAttention(scope.child("mid_attn"), ch, c.heads(), c.groups()).apply(h);
    if (c.contextDim() > 0) {
      h = new SpatialCrossAttention(scope.child("mid_xattn"), ch, c.contextDim(), c.heads(), c.groups()).apply(h, context, contextMask);
    }
    h = new UNetBlock(scope.child("mid_res2"), ch, ch, e, c.groups()).apply(h, emb);
    for (int level = levels - 1; level >= 0; level--) {
      for (int b = 0; b < c.upBlocksPerLevel(); b++) {
        GraphScope s = scope.child("up" + level + "_" + b);
        Operand<TFloat32> skip = skips.remove(skips.size() - 1);
        long sc = skipChannels.remove(skipChannels.size() - 1);
        h = tf.concat(List.of(h, skip), tf.constant(3));
        h = new UNetBlock(s.child("res"), ch + sc, c.channels()[level], e, c.groups()).apply(h, emb);
        ch = c.channels()[level];
        if (attentionAt(level)) {
          h = attend(s, h, ch, context, contextMask);
        }
      }
      if (level > 0) {
        long size = GraphScope.staticDim(h, 1) * 2;
        h = tf.image.resizeNearestNeighbor(h, tf.constant(new int[] {(int) size, (int) size}));
        h = new Conv2d(scope.child("up" + level + "_sample"), ch, ch, 3).apply(h);
      }
    }
    h = new GroupNorm(scope.child("norm_out"), ch, Math.min(c.groups(), ch)).applySilu(h);
    return new Conv2d(scope.child("conv_out"), ch, c.imageChannels(), 3).apply(h);
  }

  /** Self-attention, then cross-attention to the context where the U-Net has one. */
  private Operand<TFloat32> attend(GraphScope s, Operand<TFloat32> h, long ch, Operand<TFloat32> context, Operand<TFloat32> contextMask) {
    h = new SpatialSelfAttention(s.child("attn"), ch, c.heads(), c.groups()).apply(h);
    if (c.contextDim() > 0) {
      h = new SpatialCrossAttention(s.child("xattn"), ch, c.contextDim(), c.heads(), c.groups()).apply(h, context, contextMask);
    }
    return h;
  }
}
