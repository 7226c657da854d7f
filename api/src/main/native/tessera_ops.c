/*
 * Tessera's own TensorFlow kernels, registered through TensorFlow's C kernel and op API when
 * dev.tessera.api.graph.NativeOps loads this library (TF_LoadLibrary runs the constructor at the end).
 *
 * TesseraGroupNorm: group normalisation over [N, ..., C] (channels last), optionally followed by
 * SiLU, in one kernel: per image the group means, then the centred squares, then
 * y = x * a + b per channel (a = gamma / std, b = beta - mean * a) with the SiLU applied in the
 * same loop. TensorFlow's own ops need six full passes for the norm and two for the SiLU.
 * Outputs y and stats [N, G, 2] (mean, 1 / std) for the gradient.
 *
 * TesseraGroupNormGrad: dx, dgamma, dbeta from dy, x, gamma, beta and stats. Per image: dz (dy
 * through the SiLU) and its per-channel sums, then dx = rstd (dz gamma - k1 - xhat k2), k1 and k2
 * the group means of dz gamma and dz gamma xhat.
 *
 * TesseraLayerNorm: layer normalisation over the last axis of [..., D], times gamma plus beta,
 * in one pass per row (the row is in cache for its second and third reads); outputs y and stats
 * [rows, 2]. TesseraLayerNormGrad: dx, dgamma, dbeta. TesseraResidualLayerNorm: the same of
 * h = x + res + bias (a transformer's residual add with the bias of the branch's last product),
 * outputs h too; its gradient takes the gradient of h from h's other uses as well.
 *
 * TesseraBiasGelu: GELU (the exact, erf form) of x + bias over [..., C], one pass;
 * TesseraBiasGeluGrad: dx and dbias. TensorFlow's ops take seven passes for the same.
 *
 * TesseraSplitHeads: [B, T, D] + bias [D] -> [B, H, T, D/H], the bias add of an attention
 * projection and the head split (a transpose) in one pass; TesseraSplitHeadsGrad: dx [B, T, D]
 * and dbias.
 *
 * TesseraAttentionSoftmax: softmax over the last axis of scale * scores [..., T, S] where, if
 * causal, query i sees keys 0..start+i only (start: an int32 scalar input, the position of the
 * first query); masked weights are exactly 0. One pass for TensorFlow's scale multiply, mask add
 * and softmax. TesseraAttentionSoftmaxGrad: dscores = scale * y * (dy - sum(dy * y)).
 *
 * Images (rows) are split between two OpenMP threads (layer norm: when there is enough work).
 * Only the C API declarations used are written out below (TensorFlow Java ships no headers);
 * they are TensorFlow 2.x's stable C ABI.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef unsigned char TF_Bool;
enum { TF_FLOAT = 1, TF_INT32 = 3 };
enum { TF_OK = 0, TF_INVALID_ARGUMENT = 3, TF_RESOURCE_EXHAUSTED = 8, TF_UNIMPLEMENTED = 12 };

extern TF_Status* TF_NewStatus(void);
extern void TF_DeleteStatus(TF_Status*);
extern int TF_GetCode(const TF_Status*);
extern void TF_SetStatus(TF_Status*, int code, const char* msg);
extern TF_KernelBuilder* TF_NewKernelBuilder(const char*, const char*, void* (*)(TF_OpKernelConstruction*),
    void (*)(void*, TF_OpKernelContext*), void (*)(void*));
extern void TF_RegisterKernelBuilder(const char*, TF_KernelBuilder*, TF_Status*);
extern void TF_GetInput(TF_OpKernelContext*, int, TF_Tensor**, TF_Status*);
extern TF_Tensor* TF_AllocateOutput(TF_OpKernelContext*, int, int dtype, const int64_t*, int, size_t, TF_Status*);
extern void TF_OpKernelContext_Failure(TF_OpKernelContext*, TF_Status*);
extern void TF_OpKernelConstruction_GetAttrInt64(TF_OpKernelConstruction*, const char*, int64_t*, TF_Status*);
extern void TF_OpKernelConstruction_GetAttrFloat(TF_OpKernelConstruction*, const char*, float*, TF_Status*);
extern void TF_OpKernelConstruction_GetAttrBool(TF_OpKernelConstruction*, const char*, TF_Bool*, TF_Status*);
extern void TF_OpKernelConstruction_Failure(TF_OpKernelConstruction*, TF_Status*);
extern int TF_NumDims(const TF_Tensor*);
extern int64_t TF_Dim(const TF_Tensor*, int);
extern void* TF_TensorData(const TF_Tensor*);
extern void TF_DeleteTensor(TF_Tensor*);
extern TF_OpDefinitionBuilder* TF_NewOpDefinitionBuilder(const char*);
extern void TF_OpDefinitionBuilderAddInput(TF_OpDefinitionBuilder*, const char*);
extern void TF_OpDefinitionBuilderAddOutput(TF_OpDefinitionBuilder*, const char*);
extern void TF_OpDefinitionBuilderAddAttr(TF_OpDefinitionBuilder*, const char*);
extern void TF_OpDefinitionBuilderSetShapeInferenceFunction(TF_OpDefinitionBuilder*, void (*)(TF_ShapeInferenceContext*, TF_Status*));
extern void TF_RegisterOpDefinition(TF_OpDefinitionBuilder*, TF_Status*);
extern TF_ShapeHandle* TF_NewShapeHandle(void);
extern void TF_DeleteShapeHandle(TF_ShapeHandle*);
extern void TF_ShapeInferenceContextGetInput(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
extern void TF_ShapeInferenceContextSetOutput(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);

typedef struct { int64_t groups; float epsilon; TF_Bool silu; } GnAttrs;

static void* gn_create(TF_OpKernelConstruction* ctx) {
  GnAttrs* a = calloc(1, sizeof(GnAttrs));
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrInt64(ctx, "groups", &a->groups, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrFloat(ctx, "epsilon", &a->epsilon, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrBool(ctx, "silu", &a->silu, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return a;
}
/* frees a kernel's attributes (GnAttrs, LnAttrs, SplitAttrs, SoftmaxAttrs) */
static void free_attrs(void* p) { free(p); }


/* x [N, P, C] (P = H*W), groups G; stats [N, G, 2] = mean, rstd. Per image: the mean, then the
   centered squares (the image is in cache by then), then y = x * a + b per channel, SiLU. */
static void gn_forward(const float* x, const float* gamma, const float* beta, float* y, float* stats,
    int64_t n_, int64_t p_, int64_t c_, int64_t g_, float eps, int silu) {
  int64_t cg = c_ / g_;
  double count = (double) p_ * cg;
  #pragma omp parallel for schedule(static) num_threads(2)
  for (int64_t n = 0; n < n_; n++) {
    const float* xn = x + n * p_ * c_;
    float* yn = y + n * p_ * c_;
    float acc[c_], meanc[c_], a[c_], b[c_];
    for (int64_t c = 0; c < c_; c++) acc[c] = 0;
    for (int64_t p = 0; p < p_; p++) {
      const float* xp = xn + p * c_;
      #pragma omp simd
      for (int64_t c = 0; c < c_; c++) acc[c] += xp[c];
    }
    float gmean[g_];
    for (int64_t g = 0; g < g_; g++) {
      double s = 0;
      for (int64_t c = g * cg; c < (g + 1) * cg; c++) s += acc[c];
      gmean[g] = (float) (s / count);
      for (int64_t c = g * cg; c < (g + 1) * cg; c++) meanc[c] = gmean[g];
    }
    for (int64_t c = 0; c < c_; c++) acc[c] = 0;
    for (int64_t p = 0; p < p_; p++) {
      const float* xp = xn + p * c_;
      #pragma omp simd
      for (int64_t c = 0; c < c_; c++) { float d = xp[c] - meanc[c]; acc[c] += d * d; }
    }
    for (int64_t g = 0; g < g_; g++) {
      double q = 0;
      for (int64_t c = g * cg; c < (g + 1) * cg; c++) q += acc[c];
      float rstd = (float) (1.0 / sqrt(q / count + eps));
      stats[(n * g_ + g) * 2] = gmean[g];
      stats[(n * g_ + g) * 2 + 1] = rstd;
      for (int64_t c = g * cg; c < (g + 1) * cg; c++) { a[c] = rstd * gamma[c]; b[c] = beta[c] - gmean[g] * a[c]; }
    }
    for (int64_t p = 0; p < p_; p++) {
      const float* xp = xn + p * c_;
      float* yp = yn + p * c_;
      if (silu) {
        #pragma omp simd
        for (int64_t c = 0; c < c_; c++) { float z = xp[c] * a[c] + b[c]; yp[c] = z / (1.0f + expf(-z)); }
      } else {
        #pragma omp simd
        for (int64_t c = 0; c < c_; c++) yp[c] = xp[c] * a[c] + b[c];
      }
    }
  }
}

static int dims_npc(TF_Tensor* x, int64_t* n, int64_t* p, int64_t* c) {
  int nd = TF_NumDims(x);
  if (nd < 2 || nd > 8) return 0;
  *n = TF_Dim(x, 0); *c = TF_Dim(x, nd - 1); *p = 1;
  for (int i = 1; i < nd - 1; i++) *p *= TF_Dim(x, i);
  return 1;
}

/* the calling OpenMP thread's index (0 without OpenMP) */
static inline int thread_index(void) {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/* Fetches inputs 0..n-1 into t[0..n-1], stopping at the first error (left in s). */
static void get_inputs(TF_OpKernelContext* ctx, TF_Tensor** t, int n, TF_Status* s) {
  for (int i = 0; i < n && TF_GetCode(s) == TF_OK; i++) TF_GetInput(ctx, i, &t[i], s);
}

/* Output i with the shape of x, or NULL with the error in s. */
static TF_Tensor* alloc_like(TF_OpKernelContext* ctx, int i, TF_Tensor* x, TF_Status* s) {
  int nd = TF_NumDims(x);
  int64_t dims[8], count = 1;
  for (int k = 0; k < nd && k < 8; k++) { dims[k] = TF_Dim(x, k); count *= dims[k]; }
  return TF_AllocateOutput(ctx, i, TF_FLOAT, dims, nd, (size_t) count * sizeof(float), s);
}

/* Output i of shape [n], or NULL with the error in s. */
static TF_Tensor* alloc_vector(TF_OpKernelContext* ctx, int i, int64_t n, TF_Status* s) {
  return TF_AllocateOutput(ctx, i, TF_FLOAT, &n, 1, (size_t) n * sizeof(float), s);
}

/* Reports an error in s to ctx, then deletes the tensors of t[0..n-1] that were set, and s. */
static void finish(TF_OpKernelContext* ctx, TF_Status* s, TF_Tensor** t, int n) {
  if (TF_GetCode(s) != TF_OK) TF_OpKernelContext_Failure(ctx, s);
  for (int i = 0; i < n; i++) if (t[i]) TF_DeleteTensor(t[i]);
  TF_DeleteStatus(s);
}

static void gn_compute(void* kernel, TF_OpKernelContext* ctx) {
  GnAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[5] = {0}; /* x, gamma, beta | y, stats */
  get_inputs(ctx, t, 3, s);
  int64_t n = 0, p = 0, c = 0;
  if (TF_GetCode(s) == TF_OK && (!dims_npc(t[0], &n, &p, &c) || c % at->groups != 0)) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraGroupNorm: x must be [N, ..., C] (rank 2 to 8) with C divisible by groups");
  }
  if (TF_GetCode(s) == TF_OK) t[3] = alloc_like(ctx, 0, t[0], s);
  if (TF_GetCode(s) == TF_OK) {
    int64_t sd[3] = {n, at->groups, 2};
    t[4] = TF_AllocateOutput(ctx, 1, TF_FLOAT, sd, 3, (size_t) n * at->groups * 2 * sizeof(float), s);
  }
  if (TF_GetCode(s) == TF_OK) {
    gn_forward(TF_TensorData(t[0]), TF_TensorData(t[1]), TF_TensorData(t[2]), TF_TensorData(t[3]), TF_TensorData(t[4]),
        n, p, c, at->groups, at->epsilon, at->silu);
  }
  finish(ctx, s, t, 5);
}

/* backward: dy, x, gamma, beta, stats -> dx, dgamma, dbeta. Per image: dz (through the SiLU) is
   written into dx with its per-channel sums, then dx = rstd (dz gamma - k1 - xhat k2) in place. */
static void gn_backward(const float* dy, const float* x, const float* gamma, const float* beta, const float* stats,
    float* dx, float* dgamma, float* dbeta, int64_t n_, int64_t p_, int64_t c_, int64_t g_, int silu) {
  int64_t cg = c_ / g_;
  double count = (double) p_ * cg;
  float* pg = calloc((size_t) n_ * c_ * 2, sizeof(float)); /* per-image dgamma, dbeta partials */
  #pragma omp parallel for schedule(static) num_threads(2)
  for (int64_t n = 0; n < n_; n++) {
    const float* xn = x + n * p_ * c_;
    const float* dyn = dy + n * p_ * c_;
    float* dxn = dx + n * p_ * c_;
    float mean[c_], rstd[c_], sdz[c_], sdzx[c_], k1[c_], k2[c_], gr[c_];
    for (int64_t c = 0; c < c_; c++) {
      mean[c] = stats[(n * g_ + c / cg) * 2];
      rstd[c] = stats[(n * g_ + c / cg) * 2 + 1];
      sdz[c] = 0; sdzx[c] = 0;
    }
    for (int64_t p = 0; p < p_; p++) {
      const float* xp = xn + p * c_;
      const float* dyp = dyn + p * c_;
      float* dzp = dxn + p * c_;
      if (silu) {
        #pragma omp simd
        for (int64_t c = 0; c < c_; c++) {
          float xh = (xp[c] - mean[c]) * rstd[c];
          float z = xh * gamma[c] + beta[c];
          float sg = 1.0f / (1.0f + expf(-z));
          float dz = dyp[c] * sg * (1.0f + z * (1.0f - sg));
          dzp[c] = dz; sdz[c] += dz; sdzx[c] += dz * xh;
        }
      } else {
        #pragma omp simd
        for (int64_t c = 0; c < c_; c++) {
          float xh = (xp[c] - mean[c]) * rstd[c];
          float dz = dyp[c];
          dzp[c] = dz; sdz[c] += dz; sdzx[c] += dz * xh;
        }
      }
    }
    float* pgn = pg + n * c_ * 2;
    for (int64_t c = 0; c < c_; c++) { pgn[c] = sdzx[c]; pgn[c_ + c] = sdz[c]; }
    for (int64_t g = 0; g < g_; g++) {
      double m1 = 0, m2 = 0; /* group means of dxhat = dz gamma and of dxhat xhat */
      for (int64_t c = g * cg; c < (g + 1) * cg; c++) { m1 += (double) sdz[c] * gamma[c]; m2 += (double) sdzx[c] * gamma[c]; }
      for (int64_t c = g * cg; c < (g + 1) * cg; c++) { k1[c] = (float) (m1 / count); k2[c] = (float) (m2 / count); }
    }
    for (int64_t c = 0; c < c_; c++) gr[c] = gamma[c] * rstd[c];
    for (int64_t p = 0; p < p_; p++) {
      const float* xp = xn + p * c_;
      float* dxp = dxn + p * c_;
      #pragma omp simd
      for (int64_t c = 0; c < c_; c++) {
        float xh = (xp[c] - mean[c]) * rstd[c];
        dxp[c] = dxp[c] * gr[c] - rstd[c] * (k1[c] + xh * k2[c]);
      }
    }
  }
  for (int64_t c = 0; c < c_; c++) { dgamma[c] = 0; dbeta[c] = 0; }
  for (int64_t n = 0; n < n_; n++) for (int64_t c = 0; c < c_; c++) { dgamma[c] += pg[n * c_ * 2 + c]; dbeta[c] += pg[n * c_ * 2 + c_ + c]; }
  free(pg);
}

static void gn_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  GnAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[8] = {0}; /* dy, x, gamma, beta, stats | dx, dgamma, dbeta */
  get_inputs(ctx, t, 5, s);
  int64_t n = 0, p = 0, c = 0;
  if (TF_GetCode(s) == TF_OK && (!dims_npc(t[1], &n, &p, &c) || c % at->groups != 0)) {
    TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraGroupNormGrad: x must be [N, ..., C] (rank 2 to 8) with C divisible by groups");
  }
  if (TF_GetCode(s) == TF_OK) t[5] = alloc_like(ctx, 0, t[1], s);
  if (TF_GetCode(s) == TF_OK) t[6] = alloc_vector(ctx, 1, c, s);
  if (TF_GetCode(s) == TF_OK) t[7] = alloc_vector(ctx, 2, c, s);
  if (TF_GetCode(s) == TF_OK) {
    gn_backward(TF_TensorData(t[0]), TF_TensorData(t[1]), TF_TensorData(t[2]), TF_TensorData(t[3]), TF_TensorData(t[4]),
        TF_TensorData(t[5]), TF_TensorData(t[6]), TF_TensorData(t[7]), n, p, c, at->groups, at->silu);
  }
  finish(ctx, s, t, 8);
}

/* Shape inference: output `out` has the shape of input `in` (nothing once s holds an error). */
static void output_like(TF_ShapeInferenceContext* ctx, int out, int in, TF_Status* s) {
  if (TF_GetCode(s) != TF_OK) return;
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, in, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, out, h, s);
  TF_DeleteShapeHandle(h);
}

/* y like x (input 0); a stats output stays of unknown shape: only the gradient reads it */
static void shape_fwd(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  output_like(ctx, 0, 0, s);
}

/* gradient ops: dx like input 1 (x), the two vector gradients like input 2 (gamma) */
static void shape_grad(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  output_like(ctx, 0, 1, s);
  output_like(ctx, 1, 2, s);
  output_like(ctx, 2, 2, s);
}

/* ---- TesseraLayerNorm: y = (x - mean) / std * gamma + beta over the last axis; stats [rows, 2]. ---- */

typedef struct { float epsilon; } LnAttrs;

static void* ln_create(TF_OpKernelConstruction* ctx) {
  LnAttrs* a = calloc(1, sizeof(LnAttrs));
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrFloat(ctx, "epsilon", &a->epsilon, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return a;
}

/* rows and the width of x [..., D]; 0 when the rank is out of 1..8 or vec is not [D] */
static int rows_width(TF_Tensor* x, TF_Tensor* vec, int64_t* rows, int64_t* d) {
  int nd = TF_NumDims(x);
  if (nd < 1 || nd > 8 || TF_NumDims(vec) != 1 || TF_Dim(vec, 0) != TF_Dim(x, nd - 1)) return 0;
  *d = TF_Dim(x, nd - 1);
  *rows = 1;
  for (int i = 0; i < nd - 1; i++) *rows *= TF_Dim(x, i);
  return 1;
}

/* Layer norm of rows x [rows, d] into y, stats [rows, 2] = mean, rstd. With res (the residual
   branch, or NULL), the rows normalised are h = x + res + bias, written to h. */
static void ln_forward(const float* x, const float* res, const float* bias, float* h, const float* g, const float* b,
    float* y, float* st, int64_t rows, int64_t d, float eps) {
  #pragma omp parallel for schedule(static) num_threads(2) if (rows * d >= 32768)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * d;
    if (res) {
      const float* rr = res + r * d;
      float* hr = h + r * d;
      #pragma omp simd
      for (int64_t i = 0; i < d; i++) hr[i] = xr[i] + (rr[i] + bias[i]); /* the order of x + (x W + b) */
      xr = hr;
    }
    float* yr = y + r * d;
    float sum = 0;
    #pragma omp simd reduction(+:sum)
    for (int64_t i = 0; i < d; i++) sum += xr[i];
    float mean = sum / d;
    float sq = 0;
    #pragma omp simd reduction(+:sq)
    for (int64_t i = 0; i < d; i++) { float c = xr[i] - mean; sq += c * c; }
    float rstd = (float) (1.0 / sqrt((double) sq / d + eps)); /* exact: -ffast-math would use an approximate rsqrt */
    st[2 * r] = mean;
    st[2 * r + 1] = rstd;
    #pragma omp simd
    for (int64_t i = 0; i < d; i++) yr[i] = (xr[i] - mean) * rstd * g[i] + b[i];
  }
}

/* dy, x, gamma, stats -> dx = rstd (dy gamma - mean(dy gamma) - xhat mean(dy gamma xhat)) per row,
   dgamma = sum over rows of dy xhat, dbeta = sum of dy. With dh (the gradient reaching the
   normalised rows by another path, or NULL) dx gets dh added and dbias = the sum of dx. */
static void ln_backward(const float* dy, const float* x, const float* g, const float* st, const float* dh, float* dx, float* dgv,
    float* dbv, float* dbias, int64_t rows, int64_t d) {
  float* partial = calloc((size_t) 6 * d, sizeof(float)); /* per thread: dgamma, dbeta, dbias */
  #pragma omp parallel num_threads(2) if (rows * d >= 32768)
  {
    int t = thread_index();
    float* pg = partial + t * 3 * d;
    float* pb = pg + d;
    float* pbias = pb + d;
    #pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * d;
      const float* dyr = dy + r * d;
      float* dxr = dx + r * d;
      float mean = st[2 * r], rstd = st[2 * r + 1];
      float m1 = 0, m2 = 0;
      #pragma omp simd reduction(+:m1, m2)
      for (int64_t i = 0; i < d; i++) {
        float xh = (xr[i] - mean) * rstd;
        float dxh = dyr[i] * g[i];
        m1 += dxh;
        m2 += dxh * xh;
        pg[i] += dyr[i] * xh;
        pb[i] += dyr[i];
      }
      m1 /= d;
      m2 /= d;
      if (dh) {
        const float* dhr = dh + r * d;
        #pragma omp simd
        for (int64_t i = 0; i < d; i++) {
          float xh = (xr[i] - mean) * rstd;
          float v = dhr[i] + rstd * (dyr[i] * g[i] - m1 - xh * m2);
          dxr[i] = v;
          pbias[i] += v;
        }
      } else {
        #pragma omp simd
        for (int64_t i = 0; i < d; i++) {
          float xh = (xr[i] - mean) * rstd;
          dxr[i] = rstd * (dyr[i] * g[i] - m1 - xh * m2);
        }
      }
    }
  }
  for (int64_t i = 0; i < d; i++) {
    dgv[i] = partial[i] + partial[3 * d + i];
    dbv[i] = partial[d + i] + partial[4 * d + i];
    if (dbias) dbias[i] = partial[2 * d + i] + partial[5 * d + i];
  }
  free(partial);
}

/* Allocates outputs first..first+count-1 like x, then stats [rows, 2] as output first+count. */
static void alloc_rows_stats(TF_OpKernelContext* ctx, TF_Tensor** t, int first, int count, TF_Tensor* x, int64_t rows, TF_Status* s) {
  for (int i = 0; i < count && TF_GetCode(s) == TF_OK; i++) t[i] = alloc_like(ctx, first + i, x, s);
  int64_t sd[2] = {rows, 2};
  if (TF_GetCode(s) == TF_OK) t[count] = TF_AllocateOutput(ctx, first + count, TF_FLOAT, sd, 2, (size_t) rows * 2 * sizeof(float), s);
}

static void ln_compute(void* kernel, TF_OpKernelContext* ctx) {
  LnAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[5] = {0}; /* x, gamma, beta | y, stats */
  get_inputs(ctx, t, 3, s);
  int64_t rows = 0, d = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(t[0], t[1], &rows, &d) || TF_NumDims(t[2]) != 1 || TF_Dim(t[2], 0) != d) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraLayerNorm: gamma and beta must be [D] for x [..., D] (rank 1 to 8)");
    } else {
      alloc_rows_stats(ctx, t + 3, 0, 1, t[0], rows, s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    ln_forward(TF_TensorData(t[0]), NULL, NULL, NULL, TF_TensorData(t[1]), TF_TensorData(t[2]), TF_TensorData(t[3]), TF_TensorData(t[4]),
        rows, d, at->epsilon);
  }
  finish(ctx, s, t, 5);
}

static void ln_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[7] = {0}; /* dy, x, gamma, stats | dx, dgamma, dbeta */
  get_inputs(ctx, t, 4, s);
  int64_t rows = 0, d = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(t[1], t[2], &rows, &d)) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraLayerNormGrad: gamma must be [D] for x [..., D] (rank 1 to 8)");
    } else {
      t[4] = alloc_like(ctx, 0, t[1], s);
      if (TF_GetCode(s) == TF_OK) t[5] = alloc_vector(ctx, 1, d, s);
      if (TF_GetCode(s) == TF_OK) t[6] = alloc_vector(ctx, 2, d, s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    ln_backward(TF_TensorData(t[0]), TF_TensorData(t[1]), TF_TensorData(t[2]), TF_TensorData(t[3]), NULL, TF_TensorData(t[4]),
        TF_TensorData(t[5]), TF_TensorData(t[6]), NULL, rows, d);
  }
  finish(ctx, s, t, 7);
}

/* ---- TesseraResidualLayerNorm: h = x + res + bias, y = layer norm of h; outputs h, y, stats. ---- */

static void residual_ln_compute(void* kernel, TF_OpKernelContext* ctx) {
  LnAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[8] = {0}; /* x, res, bias, gamma, beta | h, y, stats */
  get_inputs(ctx, t, 5, s);
  int64_t rows = 0, d = 0;
  if (TF_GetCode(s) == TF_OK) {
    int same = TF_NumDims(t[0]) == TF_NumDims(t[1]);
    for (int i = 0; same && i < TF_NumDims(t[0]); i++) same = TF_Dim(t[0], i) == TF_Dim(t[1], i);
    if (!same || !rows_width(t[0], t[2], &rows, &d) || TF_NumDims(t[3]) != 1 || TF_Dim(t[3], 0) != d || TF_NumDims(t[4]) != 1
        || TF_Dim(t[4], 0) != d) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraResidualLayerNorm: x and res must have the same shape [..., D] (rank 1 to 8), bias, gamma and beta [D]");
    } else {
      alloc_rows_stats(ctx, t + 5, 0, 2, t[0], rows, s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    ln_forward(TF_TensorData(t[0]), TF_TensorData(t[1]), TF_TensorData(t[2]), TF_TensorData(t[5]), TF_TensorData(t[3]), TF_TensorData(t[4]),
        TF_TensorData(t[6]), TF_TensorData(t[7]), rows, d, at->epsilon);
  }
  finish(ctx, s, t, 8);
}

/* dh (the gradient of h from its other uses), dy, h, gamma, stats -> dh_total (the gradient of x
   and of res), dbias, dgamma, dbeta */
static void residual_ln_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[9] = {0}; /* dh, dy, h, gamma, stats | dx, dbias, dgamma, dbeta */
  get_inputs(ctx, t, 5, s);
  int64_t rows = 0, d = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(t[2], t[3], &rows, &d)) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraResidualLayerNormGrad: gamma must be [D] for h [..., D] (rank 1 to 8)");
    } else {
      t[5] = alloc_like(ctx, 0, t[2], s);
      for (int i = 1; i < 4 && TF_GetCode(s) == TF_OK; i++) t[5 + i] = alloc_vector(ctx, i, d, s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    ln_backward(TF_TensorData(t[1]), TF_TensorData(t[2]), TF_TensorData(t[3]), TF_TensorData(t[4]), TF_TensorData(t[0]), TF_TensorData(t[5]),
        TF_TensorData(t[7]), TF_TensorData(t[8]), TF_TensorData(t[6]), rows, d);
  }
  finish(ctx, s, t, 9);
}

/* the residual layer norm: h and y like x */
static void shape_residual_ln(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  output_like(ctx, 0, 0, s);
  output_like(ctx, 1, 0, s);
}

/* its gradient: dx like h (input 2), the vectors like gamma (input 3) */
static void shape_residual_ln_grad(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  output_like(ctx, 0, 2, s);
  output_like(ctx, 1, 3, s);
  output_like(ctx, 2, 3, s);
  output_like(ctx, 3, 3, s);
}

/* ---- TesseraBiasGelu: y = gelu(x + bias), bias over the last axis; the exact (erf) GELU. ---- */

#define SQRT1_2 0.70710678118654752f
#define INV_SQRT_2PI 0.39894228040143268f

static void* no_attrs(TF_OpKernelConstruction* ctx) { (void) ctx; return NULL; }

static void bias_gelu_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[3] = {0}; /* x, bias | y */
  get_inputs(ctx, t, 2, s);
  int64_t rows = 0, c = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(t[0], t[1], &rows, &c)) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraBiasGelu: bias must be [C] for x [..., C] (rank 1 to 8)");
    } else {
      t[2] = alloc_like(ctx, 0, t[0], s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    const float* xv = TF_TensorData(t[0]);
    const float* b = TF_TensorData(t[1]);
    float* yv = TF_TensorData(t[2]);
    #pragma omp parallel for schedule(static) num_threads(2) if (rows * c >= 32768)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = xv + r * c;
      float* yr = yv + r * c;
      #pragma omp simd
      for (int64_t i = 0; i < c; i++) { float z = xr[i] + b[i]; yr[i] = 0.5f * z * (1.0f + erff(z * SQRT1_2)); }
    }
  }
  finish(ctx, s, t, 3);
}

/* dy, x, bias -> dx = dy gelu'(x + bias), dbias = the sum of dx over the rows */
static void bias_gelu_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[5] = {0}; /* dy, x, bias | dx, dbias */
  get_inputs(ctx, t, 3, s);
  int64_t rows = 0, c = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(t[1], t[2], &rows, &c)) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraBiasGeluGrad: bias must be [C] for x [..., C] (rank 1 to 8)");
    } else {
      t[3] = alloc_like(ctx, 0, t[1], s);
      if (TF_GetCode(s) == TF_OK) t[4] = alloc_vector(ctx, 1, c, s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    const float* dyv = TF_TensorData(t[0]);
    const float* xv = TF_TensorData(t[1]);
    const float* b = TF_TensorData(t[2]);
    float* dxv = TF_TensorData(t[3]);
    float* dbv = TF_TensorData(t[4]);
    float* partial = calloc((size_t) 2 * c, sizeof(float)); /* per thread */
    #pragma omp parallel num_threads(2) if (rows * c >= 32768)
    {
      int th = thread_index();
      float* mine = partial + th * c;
      #pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; r++) {
        const float* xr = xv + r * c;
        const float* dyr = dyv + r * c;
        float* dxr = dxv + r * c;
        #pragma omp simd
        for (int64_t i = 0; i < c; i++) {
          float z = xr[i] + b[i];
          float d = dyr[i] * (0.5f * (1.0f + erff(z * SQRT1_2)) + z * INV_SQRT_2PI * expf(-0.5f * z * z));
          dxr[i] = d;
          mine[i] += d;
        }
      }
    }
    for (int64_t i = 0; i < c; i++) dbv[i] = partial[i] + partial[c + i];
    free(partial);
  }
  finish(ctx, s, t, 5);
}

/* the bias-GELU gradient: dx like x (input 1), dbias like bias (input 2) */
static void shape_bias_gelu_grad(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  output_like(ctx, 0, 1, s);
  output_like(ctx, 1, 2, s);
}

/* ---- TesseraSplitHeads: x [B, T, P*D] + bias -> P outputs y_p [B, H, T, D/H] with
   y_p[b, h, t, :] = (x + bias)[b, t, p*D + h*Dh : p*D + (h+1)*Dh]. P = 3: a fused q, k, v product. ---- */

typedef struct { int64_t heads, parts; } SplitAttrs;

static void* heads_create(TF_OpKernelConstruction* ctx) {
  SplitAttrs* a = calloc(1, sizeof(SplitAttrs));
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrInt64(ctx, "heads", &a->heads, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrInt64(ctx, "parts", &a->parts, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return a;
}

#define MAX_PARTS 4

static void split_heads_compute(void* kernel, TF_OpKernelContext* ctx) {
  SplitAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[2 + MAX_PARTS] = {0}; /* x, bias | y_0 .. y_P-1 */
  get_inputs(ctx, t, 2, s);
  int64_t b_ = 0, t_ = 0, w = 0, h_ = at->heads, p_ = at->parts;
  if (TF_GetCode(s) == TF_OK) {
    if (p_ > MAX_PARTS || TF_NumDims(t[0]) != 3 || TF_NumDims(t[1]) != 1 || TF_Dim(t[1], 0) != TF_Dim(t[0], 2)
        || TF_Dim(t[0], 2) % (h_ * p_) != 0) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraSplitHeads: x must be [B, T, parts * D] with D divisible by heads, bias [parts * D], parts <= 4");
    } else {
      b_ = TF_Dim(t[0], 0); t_ = TF_Dim(t[0], 1); w = TF_Dim(t[0], 2);
      int64_t dims[4] = {b_, h_, t_, w / p_ / h_};
      for (int i = 0; i < p_ && TF_GetCode(s) == TF_OK; i++) {
        t[2 + i] = TF_AllocateOutput(ctx, i, TF_FLOAT, dims, 4, (size_t) b_ * t_ * (w / p_) * sizeof(float), s);
      }
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    const float* xv = TF_TensorData(t[0]);
    const float* bias = TF_TensorData(t[1]);
    float* yv[MAX_PARTS];
    for (int i = 0; i < p_; i++) yv[i] = TF_TensorData(t[2 + i]);
    int64_t d = w / p_, dh = d / h_, rows = b_ * t_;
    #pragma omp parallel for schedule(static) num_threads(2) if (rows * w >= 32768)
    for (int64_t r = 0; r < rows; r++) {
      int64_t b = r / t_, tt = r % t_;
      const float* xr = xv + r * w;
      for (int64_t p = 0; p < p_; p++) {
        for (int64_t h = 0; h < h_; h++) {
          float* yr = yv[p] + ((b * h_ + h) * t_ + tt) * dh;
          int64_t o = p * d + h * dh;
          #pragma omp simd
          for (int64_t i = 0; i < dh; i++) yr[i] = xr[o + i] + bias[o + i];
        }
      }
    }
  }
  finish(ctx, s, t, 2 + MAX_PARTS);
}

/* dy_0 .. dy_P-1 [B, H, T, Dh] -> dx [B, T, P*H*Dh] (the heads merged back), dbias = the sum of dx over B and T */
static void split_heads_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  SplitAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  int64_t p_ = at->parts;
  TF_Tensor* t[MAX_PARTS + 2] = {0}; /* dy_0 .. dy_P-1 | dx, dbias */
  if (p_ > MAX_PARTS) TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraSplitHeadsGrad: parts <= 4");
  get_inputs(ctx, t, (int) p_, s);
  TF_Tensor** out = t + MAX_PARTS;
  int64_t b_ = 0, h_ = 0, t_ = 0, dh = 0, d = 0, w = 0;
  if (TF_GetCode(s) == TF_OK) {
    int same = TF_NumDims(t[0]) == 4;
    for (int i = 1; same && i < p_; i++) {
      same = TF_NumDims(t[i]) == 4;
      for (int k = 0; same && k < 4; k++) same = TF_Dim(t[i], k) == TF_Dim(t[0], k);
    }
    if (!same) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraSplitHeadsGrad: every dy must be [B, H, T, Dh], all of the same shape");
    } else {
      b_ = TF_Dim(t[0], 0); h_ = TF_Dim(t[0], 1); t_ = TF_Dim(t[0], 2); dh = TF_Dim(t[0], 3); d = h_ * dh; w = p_ * d;
      int64_t dims[3] = {b_, t_, w};
      out[0] = TF_AllocateOutput(ctx, 0, TF_FLOAT, dims, 3, (size_t) b_ * t_ * w * sizeof(float), s);
      if (TF_GetCode(s) == TF_OK) out[1] = alloc_vector(ctx, 1, w, s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    const float* dyv[MAX_PARTS];
    for (int i = 0; i < p_; i++) dyv[i] = TF_TensorData(t[i]);
    float* dxv = TF_TensorData(out[0]);
    float* dbv = TF_TensorData(out[1]);
    int64_t rows = b_ * t_;
    float* partial = calloc((size_t) 2 * w, sizeof(float)); /* per thread */
    #pragma omp parallel num_threads(2) if (rows * w >= 32768)
    {
      int th = thread_index();
      float* mine = partial + th * w;
      #pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; r++) {
        int64_t b = r / t_, tt = r % t_;
        float* dxr = dxv + r * w;
        for (int64_t p = 0; p < p_; p++) {
          for (int64_t h = 0; h < h_; h++) {
            const float* dyr = dyv[p] + ((b * h_ + h) * t_ + tt) * dh;
            int64_t o = p * d + h * dh;
            #pragma omp simd
            for (int64_t i = 0; i < dh; i++) { dxr[o + i] = dyr[i]; mine[o + i] += dyr[i]; }
          }
        }
      }
    }
    for (int64_t i = 0; i < w; i++) dbv[i] = partial[i] + partial[w + i];
    free(partial);
  }
  finish(ctx, s, t, MAX_PARTS + 2);
}

/* ---- TesseraAttentionSoftmax: softmax(scale * scores), causal: key j > start + i masked. ---- */

typedef struct { float scale; TF_Bool causal; } SoftmaxAttrs;

static void* softmax_create(TF_OpKernelConstruction* ctx) {
  SoftmaxAttrs* a = calloc(1, sizeof(SoftmaxAttrs));
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrFloat(ctx, "scale", &a->scale, s);
  if (TF_GetCode(s) == TF_OK) TF_OpKernelConstruction_GetAttrBool(ctx, "causal", &a->causal, s);
  if (TF_GetCode(s) != TF_OK) TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
  return a;
}

static void attention_softmax_compute(void* kernel, TF_OpKernelContext* ctx) {
  SoftmaxAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[3] = {0}; /* scores, start | y */
  get_inputs(ctx, t, 2, s);
  int nd = 0;
  if (TF_GetCode(s) == TF_OK) {
    nd = TF_NumDims(t[0]);
    if (nd < 2 || nd > 8 || TF_NumDims(t[1]) != 0) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraAttentionSoftmax: scores must be [..., T, S] (rank 2 to 8) and start a scalar");
    } else {
      t[2] = alloc_like(ctx, 0, t[0], s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    int64_t q_ = TF_Dim(t[0], nd - 2), k_ = TF_Dim(t[0], nd - 1), rows = 1;
    for (int i = 0; i < nd - 1; i++) rows *= TF_Dim(t[0], i);
    int64_t start = *(const int32_t*) TF_TensorData(t[1]);
    const float* xv = TF_TensorData(t[0]);
    float* yv = TF_TensorData(t[2]);
    float scale = at->scale;
    int causal = at->causal;
    #pragma omp parallel for schedule(static) num_threads(2) if (rows * k_ >= 32768)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = xv + r * k_;
      float* yr = yv + r * k_;
      int64_t limit = k_;
      if (causal) {
        limit = start + r % q_ + 1;
        if (limit > k_) limit = k_;
        if (limit < 1) limit = 1;
      }
      float m = scale * xr[0]; /* no -INFINITY: -ffast-math assumes finite values */
      for (int64_t j = 1; j < limit; j++) m = fmaxf(m, scale * xr[j]);
      float sum = 0;
      #pragma omp simd reduction(+:sum)
      for (int64_t j = 0; j < limit; j++) { float e = expf(scale * xr[j] - m); yr[j] = e; sum += e; }
      float inv = 1.0f / sum;
      #pragma omp simd
      for (int64_t j = 0; j < limit; j++) yr[j] *= inv;
      for (int64_t j = limit; j < k_; j++) yr[j] = 0;
    }
  }
  finish(ctx, s, t, 3);
}

/* dy, y -> dscores = scale * y * (dy - sum_j dy y) per row */
static void attention_softmax_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  SoftmaxAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[3] = {0}; /* dy, y | dx */
  get_inputs(ctx, t, 2, s);
  int64_t rows = 0, k_ = 0;
  if (TF_GetCode(s) == TF_OK) {
    int nd = TF_NumDims(t[1]);
    if (nd < 1 || nd > 8 || TF_NumDims(t[0]) != nd) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraAttentionSoftmaxGrad: dy and y must have the same shape (rank 1 to 8)");
    } else {
      k_ = TF_Dim(t[1], nd - 1);
      rows = 1;
      for (int i = 0; i < nd - 1; i++) rows *= TF_Dim(t[1], i);
      t[2] = alloc_like(ctx, 0, t[1], s);
    }
  }
  if (TF_GetCode(s) == TF_OK) {
    const float* dyv = TF_TensorData(t[0]);
    const float* yv = TF_TensorData(t[1]);
    float* dxv = TF_TensorData(t[2]);
    float scale = at->scale;
    #pragma omp parallel for schedule(static) num_threads(2) if (rows * k_ >= 32768)
    for (int64_t r = 0; r < rows; r++) {
      const float* dyr = dyv + r * k_;
      const float* yr = yv + r * k_;
      float* dxr = dxv + r * k_;
      float dot = 0;
      #pragma omp simd reduction(+:dot)
      for (int64_t j = 0; j < k_; j++) dot += dyr[j] * yr[j];
      #pragma omp simd
      for (int64_t j = 0; j < k_; j++) dxr[j] = scale * yr[j] * (dyr[j] - dot);
    }
  }
  finish(ctx, s, t, 3);
}

/* ---- 3x3 convolution, stride 1, zero padding 1 ("SAME"), NHWC ----------------------------------
 * x [N, H, W, Ci], w [3, 3, Ci, Co] (TensorFlow's HWIO), bias [Co] -> y [N, H, W, Co], Co a multiple
 * of 16. A direct convolution: each image is copied into a zero-padded buffer, then every output
 * row is computed in blocks of R pixels x 16V output channels held in AVX-512 registers, the
 * 9 * Ci products accumulated from broadcast inputs and weight vectors. The input gradient is the
 * same convolution of dy with the weights flipped and transposed (built in Java); the filter
 * gradient is TensorFlow's. Needs AVX-512F (the Java side uses it only where the CPU has it). */
typedef float conv_v16 __attribute__((vector_size(64), aligned(4)));

#define CONV_BLOCK(V, R)                                                                                        \
  __attribute__((target("avx512f,fma"))) static void conv_block_##V##_##R(const float* xp, int64_t wp, int64_t ci_n, \
      const float* w, int64_t co_n, const float* bias, float* y, int nr) {                                      \
    conv_v16 acc[R][V];                                                                                         \
    for (int v = 0; v < V; v++) {                                                                               \
      conv_v16 b = *(const conv_v16*) (bias + 16 * v);                                                          \
      for (int r = 0; r < R; r++) acc[r][v] = b;                                                                \
    }                                                                                                           \
    for (int ky = 0; ky < 3; ky++) {                                                                            \
      for (int kx = 0; kx < 3; kx++) {                                                                          \
        const float* xr = xp + (ky * wp + kx) * ci_n;                                                           \
        const float* wr = w + (int64_t) (ky * 3 + kx) * ci_n * co_n;                                            \
        for (int64_t ci = 0; ci < ci_n; ci++) {                                                                 \
          conv_v16 wv[V];                                                                                       \
          for (int v = 0; v < V; v++) wv[v] = *(const conv_v16*) (wr + ci * co_n + 16 * v);                     \
          for (int r = 0; r < R; r++) {                                                                         \
            conv_v16 xb = (conv_v16) {0} + xr[r * ci_n + ci];                                                   \
            for (int v = 0; v < V; v++) acc[r][v] += xb * wv[v];                                                \
          }                                                                                                     \
        }                                                                                                       \
      }                                                                                                         \
    }                                                                                                           \
    for (int r = 0; r < nr; r++)                                                                                \
      for (int v = 0; v < V; v++) *(conv_v16*) (y + r * co_n + 16 * v) = acc[r][v];                            \
  }
CONV_BLOCK(4, 6)
CONV_BLOCK(4, 4)
CONV_BLOCK(2, 12)
CONV_BLOCK(2, 8)
CONV_BLOCK(1, 12)
CONV_BLOCK(1, 8)

typedef void (*conv_block_fn)(const float*, int64_t, int64_t, const float*, int64_t, const float*, float*, int);
/* The blocks by width V (vectors of 16 output channels) and pixels R; per V the widest first. */
static const struct { int v, r; conv_block_fn f; } CONV_BLOCKS[] = {
    {4, 6, conv_block_4_6}, {4, 4, conv_block_4_4}, {2, 12, conv_block_2_12}, {2, 8, conv_block_2_8},
    {1, 12, conv_block_1_12}, {1, 8, conv_block_1_8}};

/* Of the blocks of width v, the one that wastes the fewest pixel slots on a row of wd (the wider on a tie). */
static int conv_block_for(int v, int64_t wd) {
  int best = -1;
  int64_t best_slots = 0;
  for (int i = 0; i < (int) (sizeof CONV_BLOCKS / sizeof CONV_BLOCKS[0]); i++) {
    if (CONV_BLOCKS[i].v != v) continue;
    int64_t r = CONV_BLOCKS[i].r, slots = (wd + r - 1) / r * r;
    if (best < 0 || slots < best_slots) { best = i; best_slots = slots; }
  }
  return best;
}

#define CONV_PAD_R 12 /* the widest block: rows are padded so that a block never reads past its row */

/* The padded input's buffer, one per calling thread, kept between calls and grown as needed: a
 * fresh calloc of several MB per call is served by mmap and pays a page fault per 4 KiB on first
 * touch: `bench --workloads conv_layers` on the EPYC, 32x32x32 forward + gradients 15.1-15.4 ->
 * 13.7-14.3 ms, 16x16x64 12.0 -> 11.6-11.7 ms, 8x8x128 within noise (10.1-11.1 ms). */
static float* padded_buffer(size_t floats) {
  static __thread float* buffer = NULL;
  static __thread size_t capacity = 0;
  if (floats > capacity) {
    free(buffer);
    buffer = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    capacity = buffer == NULL ? 0 : floats;
  }
  return buffer;
}

static void conv3x3_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[4] = {0}; /* x, w, bias | y */
  get_inputs(ctx, t, 3, s);
  int64_t n = 0, h = 0, wd = 0, ci = 0, co = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (TF_NumDims(t[0]) != 4 || TF_NumDims(t[1]) != 4 || TF_NumDims(t[2]) != 1 || TF_Dim(t[1], 0) != 3 || TF_Dim(t[1], 1) != 3
        || TF_Dim(t[1], 2) != TF_Dim(t[0], 3) || TF_Dim(t[2], 0) != TF_Dim(t[1], 3) || TF_Dim(t[1], 3) % 16 != 0) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraConv3x3: x [N, H, W, Ci], w [3, 3, Ci, Co] and bias [Co] with Co a multiple of 16");
    } else if (!__builtin_cpu_supports("avx512f")) {
      TF_SetStatus(s, TF_UNIMPLEMENTED, "TesseraConv3x3 needs AVX-512F");
    } else {
      n = TF_Dim(t[0], 0); h = TF_Dim(t[0], 1); wd = TF_Dim(t[0], 2); ci = TF_Dim(t[0], 3); co = TF_Dim(t[1], 3);
      int64_t dims[4] = {n, h, wd, co};
      t[3] = TF_AllocateOutput(ctx, 0, TF_FLOAT, dims, 4, sizeof(float) * n * h * wd * co, s);
    }
  }
  float* xp = NULL;
  int64_t hp = h + 2, wp = wd + 2 + CONV_PAD_R;
  if (TF_GetCode(s) == TF_OK && n * h * wd > 0) {
    xp = padded_buffer((size_t) (n * hp * wp * ci));
    if (xp == NULL) TF_SetStatus(s, TF_RESOURCE_EXHAUSTED, "TesseraConv3x3: no memory for the padded input");
  }
  if (xp != NULL) {
    const float* x = TF_TensorData(t[0]);
    const float* w = TF_TensorData(t[1]);
    const float* bias = TF_TensorData(t[2]);
    float* y = TF_TensorData(t[3]);
    /* Every padded row: zeros, or a zero, the input row and zeros (the buffer is reused, so every
     * element is written each call). */
    #pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n * hp; r++) {
      int64_t img = r / hp, row = r % hp;
      float* dst = xp + r * wp * ci;
      if (row == 0 || row == hp - 1) {
        memset(dst, 0, sizeof(float) * wp * ci);
      } else {
        memset(dst, 0, sizeof(float) * ci);
        memcpy(dst + ci, x + (img * h + row - 1) * wd * ci, sizeof(float) * wd * ci);
        memset(dst + (wd + 1) * ci, 0, sizeof(float) * (wp - wd - 1) * ci);
      }
    }
    int v = co % 64 == 0 ? 4 : co % 32 == 0 ? 2 : 1;
    int block = conv_block_for(v, wd);
    int rb = CONV_BLOCKS[block].r;
    conv_block_fn fn = CONV_BLOCKS[block].f;
    #pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < n * h; r++) {
      int64_t img = r / h, row = r % h;
      const float* xr = xp + (img * hp + row) * wp * ci;
      float* yr = y + r * wd * co;
      for (int64_t c0 = 0; c0 < co; c0 += 16 * v) {
        for (int64_t x0 = 0; x0 < wd; x0 += rb) {
          int nr = (int) (wd - x0 < rb ? wd - x0 : rb);
          const float* xb = xr + x0 * ci;
          const float* wc = w + c0;
          float* yb = yr + x0 * co + c0;
          fn(xb, wp, ci, wc, co, bias + c0, yb, nr);
        }
      }
    }
  }
  finish(ctx, s, t, 4);
}

/* The vector instructions the kernels were compiled for, as bits (1 avx2, 2 fma, 4 avx512f):
 * [the library's baseline (-march), the 3x3 convolution (its target attribute), whether this CPU
 * can run the convolution]. Read by NativeOps.isa(): a test compares it with the CPU's flags, so a
 * build that leaves the machine's vector units unused fails. */
#define ISA_AVX2 1
#define ISA_FMA 2
#define ISA_AVX512F 4
static void build_info_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  int64_t dims[1] = {3};
  TF_Tensor* t = TF_AllocateOutput(ctx, 0, TF_INT32, dims, 1, sizeof(int32_t) * 3, s);
  if (TF_GetCode(s) == TF_OK) {
    int32_t* out = TF_TensorData(t);
    out[0] = 0;
#ifdef __AVX2__
    out[0] |= ISA_AVX2;
#endif
#ifdef __FMA__
    out[0] |= ISA_FMA;
#endif
#ifdef __AVX512F__
    out[0] |= ISA_AVX512F;
#endif
    out[1] = ISA_AVX512F | ISA_FMA; /* conv_block_*: __attribute__((target("avx512f,fma"))) */
    out[2] = __builtin_cpu_supports("avx512f") ? 1 : 0;
  }
  if (TF_GetCode(s) != TF_OK) TF_OpKernelContext_Failure(ctx, s);
  if (t != NULL) TF_DeleteTensor(t);
  TF_DeleteStatus(s);
}

/* outputs of a shape the Java side sets with a reshape (split heads and its gradient) */
static void shape_unknown(TF_ShapeInferenceContext* ctx, TF_Status* s) { (void) ctx; (void) s; }

/* Registers op `name` (NULL-terminated input, output and attr specs) and its CPU kernel. */
static void register_op(const char* name, const char* const* inputs, const char* const* outputs, const char* const* attrs,
    void (*shape)(TF_ShapeInferenceContext*, TF_Status*), void* (*create)(TF_OpKernelConstruction*),
    void (*compute)(void*, TF_OpKernelContext*), void (*destroy)(void*), TF_Status* s) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(name);
  for (const char* const* in = inputs; *in; in++) TF_OpDefinitionBuilderAddInput(b, *in);
  for (const char* const* out = outputs; *out; out++) TF_OpDefinitionBuilderAddOutput(b, *out);
  for (const char* const* at = attrs; *at; at++) TF_OpDefinitionBuilderAddAttr(b, *at);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, shape);
  TF_RegisterOpDefinition(b, s);
  char kernel[64];
  snprintf(kernel, sizeof kernel, "%sCpu", name);
  TF_RegisterKernelBuilder(kernel, TF_NewKernelBuilder(name, "CPU", create, compute, destroy), s);
}

#define LIST(...) ((const char* const[]) {__VA_ARGS__, NULL})
#define NONE ((const char* const[]) {NULL})

/* quiet_log.c */
void tessera_hold_stderr(void);
void tessera_release_stderr(void);

static void release_stderr_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  (void) ctx;
  tessera_release_stderr();
}

__attribute__((constructor)) static void tessera_register_ops(void) {
  tessera_hold_stderr();
  atexit(tessera_release_stderr); /* in case the release graph never runs */
  TF_Status* s = TF_NewStatus();
  const char* const* gn_attrs = LIST("groups: int >= 1", "epsilon: float = 1e-5", "silu: bool = false");
  register_op("TesseraGroupNorm", LIST("x: float", "gamma: float", "beta: float"), LIST("y: float", "stats: float"), gn_attrs,
      shape_fwd, gn_create, gn_compute, free_attrs, s);
  register_op("TesseraGroupNormGrad", LIST("dy: float", "x: float", "gamma: float", "beta: float", "stats: float"),
      LIST("dx: float", "dgamma: float", "dbeta: float"), gn_attrs, shape_grad, gn_create, gn_grad_compute, free_attrs, s);
  const char* const* ln_attrs = LIST("epsilon: float = 1e-5");
  register_op("TesseraLayerNorm", LIST("x: float", "gamma: float", "beta: float"), LIST("y: float", "stats: float"), ln_attrs,
      shape_fwd, ln_create, ln_compute, free_attrs, s);
  register_op("TesseraLayerNormGrad", LIST("dy: float", "x: float", "gamma: float", "stats: float"),
      LIST("dx: float", "dgamma: float", "dbeta: float"), ln_attrs, shape_grad, ln_create, ln_grad_compute, free_attrs, s);
  register_op("TesseraResidualLayerNorm", LIST("x: float", "res: float", "bias: float", "gamma: float", "beta: float"),
      LIST("h: float", "y: float", "stats: float"), ln_attrs, shape_residual_ln, ln_create, residual_ln_compute, free_attrs, s);
  register_op("TesseraResidualLayerNormGrad", LIST("dh: float", "dy: float", "h: float", "gamma: float", "stats: float"),
      LIST("dx: float", "dbias: float", "dgamma: float", "dbeta: float"), ln_attrs, shape_residual_ln_grad, ln_create,
      residual_ln_grad_compute, free_attrs, s);
  register_op("TesseraBiasGelu", LIST("x: float", "bias: float"), LIST("y: float"), NONE, shape_fwd, no_attrs, bias_gelu_compute, NULL, s);
  register_op("TesseraBiasGeluGrad", LIST("dy: float", "x: float", "bias: float"), LIST("dx: float", "dbias: float"), NONE,
      shape_bias_gelu_grad, no_attrs, bias_gelu_grad_compute, NULL, s);
  const char* const* split_attrs = LIST("heads: int >= 1", "parts: int >= 1 = 1");
  register_op("TesseraSplitHeads", LIST("x: float", "bias: float"), LIST("y: parts * float"), split_attrs, shape_unknown, heads_create,
      split_heads_compute, free_attrs, s);
  register_op("TesseraSplitHeadsGrad", LIST("dy: parts * float"), LIST("dx: float", "dbias: float"), split_attrs, shape_unknown,
      heads_create, split_heads_grad_compute, free_attrs, s);
  const char* const* sm_attrs = LIST("scale: float = 1.0", "causal: bool = false");
  register_op("TesseraAttentionSoftmax", LIST("scores: float", "start: int32"), LIST("y: float"), sm_attrs, shape_fwd, softmax_create,
      attention_softmax_compute, free_attrs, s);
  register_op("TesseraAttentionSoftmaxGrad", LIST("dy: float", "y: float"), LIST("dx: float"), sm_attrs, shape_fwd, softmax_create,
      attention_softmax_grad_compute, free_attrs, s);
  register_op("TesseraReleaseStderr", NONE, NONE, NONE, shape_unknown, no_attrs, release_stderr_compute, NULL, s);
  register_op("TesseraBuildInfo", NONE, LIST("isa: int32"), NONE, shape_unknown, no_attrs, build_info_compute, NULL, s);
  register_op("TesseraConv3x3", LIST("x: float", "w: float", "bias: float"), LIST("y: float"), LIST("native_input_gradient: bool = false"),
      shape_unknown, no_attrs,
      conv3x3_compute, NULL, s);
  TF_DeleteStatus(s);
}
