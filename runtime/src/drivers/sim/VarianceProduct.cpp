//===- VarianceProduct.cpp - Conductance-proportional variances -*- C++ -*-===//
//
// Two kernels over the same packed operands, each a register block of
// rows of squared inputs times a 64-column panel, with accumulators named
// (GCC spills arrays of vectors). The AVX-512 BF16 kernel takes six rows
// at a time, four 16-float accumulators each, and adds a pair of products
// per lane and instruction; the portable one takes two rows and half a
// panel in 8-float vectors, unpacks each pair and adds its products in
// the same order. A product of two bfloat16 values is exact in float32,
// so a fused or an unfused multiply-add rounds the same: only the sums
// round.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/VarianceProduct.h"

#include "base/VectorClones.h"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__) &&                                \
    !defined(CIM_VECTOR_BASELINE) && !defined(CIM_VECTOR_ISA)
#include <immintrin.h>
#define CIM_HAVE_BF16_KERNEL 1
#endif

namespace cim::rt::sim {
namespace {

typedef float Float8 __attribute__((vector_size(32)));
typedef uint32_t Word8 __attribute__((vector_size(32)));

constexpr int64_t kPanel = PackedVariances::kPanel;

float fromBfloat16(uint32_t h) {
  uint32_t u = h << 16;
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

/// Word p of a row of bfloat16 values: values 2p (low half) and 2p + 1.
CIM_INLINE inline uint32_t pairAt(const uint16_t *row, int64_t p) {
  uint32_t word;
  std::memcpy(&word, row + 2 * p, sizeof word);
  return word;
}

/// Stores a row's accumulators (four vectors): whole, or its first
/// `width` columns. By reference: a vector wider than the caller's ISA
/// cannot be passed by value.
template <typename Vector>
CIM_INLINE inline void storeRow(float *to, int64_t width, const Vector &v0,
                                const Vector &v1, const Vector &v2,
                                const Vector &v3) {
  constexpr int64_t lanes = sizeof(Vector) / sizeof(float);
  float row[4 * lanes];
  std::memcpy(row, &v0, sizeof v0);
  std::memcpy(row + lanes, &v1, sizeof v1);
  std::memcpy(row + 2 * lanes, &v2, sizeof v2);
  std::memcpy(row + 3 * lanes, &v3, sizeof v3);
  std::memcpy(to, row, size_t(std::min(width, 4 * lanes)) * sizeof(float));
}

/// The portable kernel's block: up to two rows times the panel in halves
/// of 32 columns, in 8-float vectors (AVX2's registers; two SSE ones),
/// each pair of products unpacked from the words (a bfloat16 is a float's
/// high half) and added high row first.
template <int MR>
CIM_INLINE inline void portableBlock(const uint16_t *a, int64_t lda,
                                     const uint32_t *b, int64_t pairs, float *c,
                                     int64_t ldc, int64_t width) {
  static_assert(MR == 1 || MR == 2);
  for (int64_t half = 0; half < width; half += 32) {
    Float8 c00 = {}, c01 = {}, c02 = {}, c03 = {};
    Float8 c10 = {}, c11 = {}, c12 = {}, c13 = {};
    for (int64_t p = 0; p < pairs; ++p) {
      // Each vector loaded on its own: copied as one array, the words go
      // through the stack in halves.
      const uint32_t *bp = b + p * kPanel + half;
      Word8 w0, w1, w2, w3;
      std::memcpy(&w0, bp, sizeof w0);
      std::memcpy(&w1, bp + 8, sizeof w1);
      std::memcpy(&w2, bp + 16, sizeof w2);
      std::memcpy(&w3, bp + 24, sizeof w3);
      const uint32_t a0 = pairAt(a, p), a1 = MR > 1 ? pairAt(a, lda + p) : 0;
      const float hi0 = fromBfloat16(a0 >> 16), lo0 = fromBfloat16(a0 & 0xffff);
      const float hi1 = fromBfloat16(a1 >> 16), lo1 = fromBfloat16(a1 & 0xffff);
      auto step = [&](const Word8 &word, Float8 &r0, Float8 &r1) CIM_INLINE {
        const Float8 h = Float8(word & 0xffff0000u), l = Float8(word << 16);
        r0 += hi0 * h;
        r0 += lo0 * l;
        if constexpr (MR > 1) {
          r1 += hi1 * h;
          r1 += lo1 * l;
        }
      };
      step(w0, c00, c10);
      step(w1, c01, c11);
      step(w2, c02, c12);
      step(w3, c03, c13);
    }
    const int64_t n = std::min<int64_t>(32, width - half);
    storeRow(c + half, n, c00, c01, c02, c03);
    if constexpr (MR > 1)
      storeRow(c + ldc + half, n, c10, c11, c12, c13);
  }
}

/// Every block of the batch's rows (at most Rows) times every panel.
#define CIM_FOR_EACH_BLOCK(Rows, Block)                                        \
  const int64_t pairs = v.pairs(), ldc = v.cols;                               \
  for (int64_t c0 = 0; c0 < v.cols; c0 += kPanel) {                            \
    const uint32_t *panel = v.words.data() + (c0 / kPanel) * pairs * kPanel;   \
    const int64_t width = std::min(kPanel, v.cols - c0);                       \
    for (int64_t m = 0; m < batch; m += Rows) {                                \
      const uint16_t *am = a + 2 * m * pairs;                                  \
      float *c = out + m * ldc + c0;                                           \
      switch (std::min<int64_t>(Rows, batch - m)) { Block }                    \
    }                                                                          \
  }
#define CIM_CASE(Kernel, MR)                                                   \
  case MR:                                                                     \
    Kernel<MR>(am, pairs, panel, pairs, c, ldc, width);                        \
    break;

// The portable kernel's clones: as CIM_VECTOR_CLONES, but with FMA in
// the AVX2 one (x86-64-v3), which rounds the same here.
#if defined(__x86_64__) && defined(__GNUC__) &&                                \
    !defined(__SANITIZE_ADDRESS__) && !defined(CIM_VECTOR_BASELINE) &&         \
    !defined(CIM_VECTOR_ISA)
#define CIM_PORTABLE_CLONES                                                    \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CIM_PORTABLE_CLONES CIM_VECTOR_CLONES
#endif

/// The squares of squareInputs (its comment), compiled per ISA.
CIM_PORTABLE_CLONES void squareRows(const float *x, int64_t batch, int64_t rows,
                                    uint16_t *squares) {
  const int64_t stride = 2 * PackedVariances::pairsOf(rows);
  for (int64_t b = 0; b < batch; ++b) {
    const float *xb = x + b * rows;
    uint16_t *to = squares + b * stride;
    for (int64_t r = 0; r < rows; ++r)
      to[r] = toBfloat16(xb[r] * xb[r]);
    if (rows % 2)
      to[rows] = 0;
  }
}

CIM_PORTABLE_CLONES void portableProduct(const uint16_t *a, int64_t batch,
                                         const PackedVariances &v, float *out) {
  CIM_FOR_EACH_BLOCK(2, CIM_CASE(portableBlock, 2) CIM_CASE(portableBlock, 1))
}

#ifdef CIM_HAVE_BF16_KERNEL
#define CIM_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16")))

// Row i of the kernel's register block: its accumulators (a 16-float
// __m512 each), declared for every i and used while i < MR (the compiler
// drops the others).
#define CIM_ROWS(S) S(0) S(1) S(2) S(3) S(4) S(5)
#define CIM_DECLARE(i)                                                         \
  __m512 c##i##0 = {}, c##i##1 = {}, c##i##2 = {}, c##i##3 = {};
#define CIM_STORE(i)                                                           \
  if constexpr (MR > i)                                                        \
    storeRow(c + i * ldc, width, c##i##0, c##i##1, c##i##2, c##i##3);

template <int MR>
CIM_BF16_TARGET CIM_INLINE inline void
bf16Block(const uint16_t *a, int64_t lda, const uint32_t *b, int64_t pairs,
          float *c, int64_t ldc, int64_t width) {
  CIM_ROWS(CIM_DECLARE)
  for (int64_t p = 0; p < pairs; ++p) {
    const uint32_t *bp = b + p * kPanel;
    const __m512bh b0 = __m512bh(_mm512_loadu_si512(bp));
    const __m512bh b1 = __m512bh(_mm512_loadu_si512(bp + 16));
    const __m512bh b2 = __m512bh(_mm512_loadu_si512(bp + 32));
    const __m512bh b3 = __m512bh(_mm512_loadu_si512(bp + 48));
#define CIM_STEP(i)                                                            \
  if constexpr (MR > i) {                                                      \
    const __m512bh ai =                                                        \
        __m512bh(_mm512_set1_epi32(int(pairAt(a, i * lda + p))));              \
    c##i##0 = _mm512_dpbf16_ps(c##i##0, ai, b0);                               \
    c##i##1 = _mm512_dpbf16_ps(c##i##1, ai, b1);                               \
    c##i##2 = _mm512_dpbf16_ps(c##i##2, ai, b2);                               \
    c##i##3 = _mm512_dpbf16_ps(c##i##3, ai, b3);                               \
  }
    CIM_ROWS(CIM_STEP)
#undef CIM_STEP
  }
  CIM_ROWS(CIM_STORE)
}

CIM_BF16_TARGET void bf16Product(const uint16_t *a, int64_t batch,
                                 const PackedVariances &v, float *out) {
  CIM_FOR_EACH_BLOCK(6, CIM_CASE(bf16Block, 6) CIM_CASE(bf16Block, 5)
                            CIM_CASE(bf16Block, 4) CIM_CASE(bf16Block, 3)
                                CIM_CASE(bf16Block, 2) CIM_CASE(bf16Block, 1))
}

bool haveBf16() {
  static const bool have = __builtin_cpu_supports("avx512bf16") &&
                           __builtin_cpu_supports("avx512bw");
  return have;
}
#endif

#undef CIM_ROWS
#undef CIM_DECLARE
#undef CIM_STORE
#undef CIM_FOR_EACH_BLOCK
#undef CIM_CASE

} // namespace

PackedVariances packVariances(const float *v, int64_t rows, int64_t cols) {
  PackedVariances packed;
  packed.rows = rows;
  packed.cols = cols;
  const int64_t pairs = packed.pairs();
  const int64_t panels = (cols + kPanel - 1) / kPanel;
  packed.words.assign(size_t(panels * pairs * kPanel), 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      uint32_t half = toBfloat16(v[r * cols + c]);
      packed.words[size_t(((c / kPanel) * pairs + r / 2) * kPanel +
                          c % kPanel)] |= half << (r % 2 ? 16 : 0);
    }
  return packed;
}

void squareInputs(const float *x, int64_t batch, int64_t rows,
                  std::vector<uint16_t> &squares) {
  squares.resize(size_t(batch * 2 * PackedVariances::pairsOf(rows)));
  squareRows(x, batch, rows, squares.data());
}

void varianceProduct(const uint16_t *squares, int64_t batch,
                     const PackedVariances &variances, float *out) {
#ifdef CIM_HAVE_BF16_KERNEL
  if (haveBf16()) {
    bf16Product(squares, batch, variances, out);
    return;
  }
#endif
  portableProduct(squares, batch, variances, out);
}

void varianceProductPortable(const uint16_t *squares, int64_t batch,
                             const PackedVariances &variances, float *out) {
  portableProduct(squares, batch, variances, out);
}

} // namespace cim::rt::sim
