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
 * [rows, 2]. TesseraLayerNormGrad: dx, dgamma, dbeta.
 *
 * TesseraBiasGelu: GELU (the exact, erf form) of x + bias over [..., C], one pass;
 * TesseraBiasGeluGrad: dx and dbias. TensorFlow's ops take seven passes for the same.
 *
 * Images (rows) are split between two OpenMP threads (layer norm: when there is enough work).
 * Only the C API declarations used are written out below (TensorFlow Java ships no headers);
 * they are TensorFlow 2.x's stable C ABI.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
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
enum { TF_FLOAT = 1 };
enum { TF_OK = 0, TF_INVALID_ARGUMENT = 3 };

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
/* frees a kernel's attributes (GnAttrs, LnAttrs) */
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

static void shape_fwd(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  TF_ShapeHandle* x = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, x, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, x, s);
  TF_DeleteShapeHandle(x); /* stats [N, G, 2] stays of unknown shape: only the gradient reads it */
}

/* gradient ops: dx like input 1 (x), the two vector gradients like input 2 (gamma) */
static void shape_grad(TF_ShapeInferenceContext* ctx, TF_Status* s) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 1, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextGetInput(ctx, 2, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 1, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 2, h, s);
  TF_DeleteShapeHandle(h);
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

static void ln_compute(void* kernel, TF_OpKernelContext* ctx) {
  LnAttrs* at = kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[5] = {0}; /* x, gamma, beta | y, stats */
  get_inputs(ctx, t, 3, s);
  TF_Tensor *x = t[0], *gamma = t[1], *beta = t[2];
  int64_t rows = 0, d = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(x, gamma, &rows, &d) || TF_NumDims(beta) != 1 || TF_Dim(beta, 0) != d) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraLayerNorm: gamma and beta must be [D] for x [..., D] (rank 1 to 8)");
    } else {
      t[3] = alloc_like(ctx, 0, x, s);
      int64_t sd[2] = {rows, 2};
      if (TF_GetCode(s) == TF_OK) t[4] = TF_AllocateOutput(ctx, 1, TF_FLOAT, sd, 2, (size_t) rows * 2 * sizeof(float), s);
    }
  }
  TF_Tensor *y = t[3], *stats = t[4];
  if (TF_GetCode(s) == TF_OK) {
    const float* xv = TF_TensorData(x);
    const float* g = TF_TensorData(gamma);
    const float* b = TF_TensorData(beta);
    float* yv = TF_TensorData(y);
    float* st = TF_TensorData(stats);
    float eps = at->epsilon;
    #pragma omp parallel for schedule(static) num_threads(2) if (rows * d >= 32768)
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = xv + r * d;
      float* yr = yv + r * d;
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
  finish(ctx, s, t, 5);
}

/* dy, x, gamma, stats -> dx = rstd (dy gamma - mean(dy gamma) - xhat mean(dy gamma xhat)) per row,
   dgamma = sum over rows of dy xhat, dbeta = sum of dy */
static void ln_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void) kernel;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t[7] = {0}; /* dy, x, gamma, stats | dx, dgamma, dbeta */
  get_inputs(ctx, t, 4, s);
  TF_Tensor *dy = t[0], *x = t[1], *gamma = t[2], *stats = t[3];
  int64_t rows = 0, d = 0;
  if (TF_GetCode(s) == TF_OK) {
    if (!rows_width(x, gamma, &rows, &d)) {
      TF_SetStatus(s, TF_INVALID_ARGUMENT, "TesseraLayerNormGrad: gamma must be [D] for x [..., D] (rank 1 to 8)");
    } else {
      t[4] = alloc_like(ctx, 0, x, s);
      if (TF_GetCode(s) == TF_OK) t[5] = alloc_vector(ctx, 1, d, s);
      if (TF_GetCode(s) == TF_OK) t[6] = alloc_vector(ctx, 2, d, s);
    }
  }
  TF_Tensor *dx = t[4], *dg = t[5], *db = t[6];
  if (TF_GetCode(s) == TF_OK) {
    const float* dyv = TF_TensorData(dy);
    const float* xv = TF_TensorData(x);
    const float* g = TF_TensorData(gamma);
    const float* st = TF_TensorData(stats);
    float* dxv = TF_TensorData(dx);
    float* partial = calloc((size_t) 4 * d, sizeof(float)); /* per thread: dgamma, dbeta */
    #pragma omp parallel num_threads(2) if (rows * d >= 32768)
    {
      int t = 0;
#ifdef _OPENMP
      t = omp_get_thread_num();
#endif
      float* pg = partial + t * 2 * d;
      float* pb = pg + d;
      #pragma omp for schedule(static)
      for (int64_t r = 0; r < rows; r++) {
        const float* xr = xv + r * d;
        const float* dyr = dyv + r * d;
        float* dxr = dxv + r * d;
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
        #pragma omp simd
        for (int64_t i = 0; i < d; i++) {
          float xh = (xr[i] - mean) * rstd;
          dxr[i] = rstd * (dyr[i] * g[i] - m1 - xh * m2);
        }
      }
    }
    float* dgv = TF_TensorData(dg);
    float* dbv = TF_TensorData(db);
    for (int64_t i = 0; i < d; i++) { dgv[i] = partial[i] + partial[2 * d + i]; dbv[i] = partial[d + i] + partial[3 * d + i]; }
    free(partial);
  }
  finish(ctx, s, t, 7);
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
      int th = 0;
#ifdef _OPENMP
      th = omp_get_thread_num();
#endif
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
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 1, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 0, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextGetInput(ctx, 2, h, s);
  if (TF_GetCode(s) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, 1, h, s);
  TF_DeleteShapeHandle(h);
}

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

__attribute__((constructor)) static void tessera_register_ops(void) {
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
  register_op("TesseraBiasGelu", LIST("x: float", "bias: float"), LIST("y: float"), NONE, shape_fwd, no_attrs, bias_gelu_compute, NULL, s);
  register_op("TesseraBiasGeluGrad", LIST("dy: float", "x: float", "bias: float"), LIST("dx: float", "dbias: float"), NONE,
      shape_bias_gelu_grad, no_attrs, bias_gelu_grad_compute, NULL, s);
  TF_DeleteStatus(s);
}
