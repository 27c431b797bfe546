//===- SignalChain.cpp - The simulator's MVMs -------------------*- C++ -*-===//
//
// One MVM on a programmed tile. Ideal: one GEMM (and the fused activation,
// exact). Quantised: the DAC normalises each input vector by its largest
// magnitude and quantises it (bit-serially in passes where the target says);
// each plane's GEMM (OpenBLAS, one thread; the batch runs in fixed blocks
// of rows that the device's pool shares out; a GEMV for a single vector,
// whose columns the ideal simulator splits over the pool) gives the column
// currents, read noise is added per element (counter-based draws keyed by
// tile, MVM, pass, plane, row; a conductance-proportional part's variances
// from a bfloat16 product, VarianceProduct.h), the ADC (uniform, sign
// comparator or a ramp with its activation) converts, and planes and
// passes are shifted and added. Noise-free quantised planes hold integer
// codes, so the GEMM is exact; one seed gives bit-identical results on any
// number of threads.
//
//===----------------------------------------------------------------------===//

#include "base/VectorClones.h"
#include "drivers/sim/SimDevice.h"

#include <cblas.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

namespace cim::rt::sim {

using namespace cim::macro;
namespace {

/// Y (batch x n) = X (batch x k) * W (k x n) in float32, on one OpenBLAS
/// thread (the caller splits the batch over the pool). A single vector
/// takes a GEMV: OpenBLAS's GEMM kernels pack their operands for blocks of
/// rows, which a one-row product does not repay.
void product(const float *x, const float *w, int64_t batch, int k, int n,
             float *y) {
  if (batch == 1)
    cblas_sgemv(CblasRowMajor, CblasTrans, k, n, 1.0f, w, n, x, 1, 0.0f, y, 1);
  else
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(batch), n, k,
                1.0f, x, k, w, n, 0.0f, y, n);
}

/// The plane's product in its precision (double for exact codes beyond
/// float's range).
void gemm(const SimTile &t, const Plane &plane, const double *x,
          const float *xf, int64_t batch, double *y, float *yf) {
  const int k = int(t.rows), n = int(t.cols);
  if (plane.wd.empty())
    product(xf, plane.w.data(), batch, k, n, yf);
  else if (batch == 1)
    cblas_dgemv(CblasRowMajor, CblasTrans, k, n, 1.0, plane.wd.data(), n, x, 1,
                0.0, y, 1);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(batch), n, k,
                1.0, x, k, plane.wd.data(), n, 0.0, y, n);
}

// The per-element loops (DAC codes, Gaussians, conversion) are compiled
// per ISA (base/VectorClones.h).

/// Vectors of GCC's and clang's vector extension (four doubles, sixteen
/// floats or ints): lane k's operations are the same IEEE operations on
/// every ISA.
typedef double Double4 __attribute__((vector_size(32)));
typedef float Float16 __attribute__((vector_size(64)));
typedef int32_t Int16 __attribute__((vector_size(64)));

/// Batch rows per thread: enough that a part is worth a thread.
int64_t minRows(const SimTile &t) {
  return std::max<int64_t>(1, (int64_t(1) << 16) / (t.rows * t.cols));
}

/// Rounds half away from zero a code of magnitude below 2^31 (ADC and
/// DAC codes are at most 2^15): a truncating conversion, which compilers
/// vectorise.
double roundCode(double q) {
  return double(int32_t(q + std::copysign(0.5, q)));
}

/// The positions of the ones among `flags[0, n)` (bytes 0 or 1), written
/// to `at` (room for n + 8 entries); returns how many. Eight flags at a
/// time without a branch on any: their bits gathered into a byte by one
/// multiply, that byte's positions looked up and stored whole, the count
/// advanced by the byte's population.
int64_t listFlags(const uint8_t *flags, int64_t n, int32_t *at) {
  struct Positions {
    uint8_t at[8];
    uint8_t count;
  };
  static constexpr auto kPositions = [] {
    std::array<Positions, 256> table{};
    for (int m = 0; m < 256; ++m)
      for (int k = 0; k < 8; ++k)
        if (m >> k & 1)
          table[size_t(m)].at[table[size_t(m)].count++] = uint8_t(k);
    return table;
  }();
  int64_t count = 0, i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t eight;
    std::memcpy(&eight, flags + i, sizeof eight);
    // Byte k's low bit lands in bit 56 + k of the product.
    const Positions &p = kPositions[(eight * 0x0102040810204080ULL) >> 56];
    for (int k = 0; k < 8; ++k)
      at[count + k] = int32_t(i + p.at[k]);
    count += p.count;
  }
  for (; i < n; ++i) {
    at[count] = int32_t(i);
    count += flags[i];
  }
  return count;
}

/// Buffers of one part of a quantised MVM (batch rows `first` on).
struct Work {
  int64_t first = 0;
  std::vector<double> s, norm, reference, xd, yd, passOut, total, uniform;
  std::vector<float> normal;
  std::vector<float> xf, yf;
  // Conductance-proportional read noise: the pass's input codes squared
  // (bfloat16, VarianceProduct.h) and each output's variance (x^2 times
  // the plane's readVar).
  std::vector<uint16_t> squares;
  std::vector<float> var;
  std::vector<char> finite;
  // The Gaussians' tails over a few rows: 1 where an output's uniform is
  // in a tail; those outputs' positions, and their uniforms, then
  // Gaussians.
  std::vector<uint8_t> tail;
  std::vector<int32_t> tailAt;
  std::vector<double> tailNormal;
  std::vector<double> zeros; // a row of zeros
  std::vector<uint64_t> code;
  double unit = 1; // value of one input code
};

/// The input codes of one pass (xd and xf, as the GEMM reads them), and
/// each vector's norm and reference-column sum in normalised units.
CIM_VECTOR_CLONES void drivePass(const SimTile &t, const float *x, double base,
                                 int64_t b0, int64_t b1, Work &w) {
  const int64_t rows = t.rows;
  for (int64_t b = b0; b < b1; ++b) {
    double inverse = w.s[b] > 0 ? 1.0 / w.s[b] : 0.0;
    const float *xb = x + b * rows;
    float *codes = w.xf.data() + b * rows;
    if (t.inputPasses > 1) {
      uint64_t *digits = w.code.data() + b * rows;
      for (int64_t r = 0; r < rows; ++r) {
        uint64_t digit = digits[r] % uint64_t(base);
        digits[r] /= uint64_t(base);
        codes[r] = (xb[r] < 0 ? -1.0f : 1.0f) * float(digit);
      }
    } else if (t.dacSign) {
      for (int64_t r = 0; r < rows; ++r)
        codes[r] = float((xb[r] > 0) - (xb[r] < 0));
    } else if (t.dacLevels > 0) {
      double toCode = t.dacLevels * inverse;
      for (int64_t r = 0; r < rows; ++r)
        codes[r] = float(roundCode(double(xb[r]) * toCode));
    } else {
      for (int64_t r = 0; r < rows; ++r)
        codes[r] = float(double(xb[r]) * inverse);
    }
    // Partial sums in vectors, so that the loop runs at the adder's
    // throughput, not its latency, in a fixed order (results stay the same
    // on every ISA). Integer codes (every DAC but an unquantised one) sum
    // exactly in any order: sixteen partial sums; others four.
    Double4 norm4 = {0, 0, 0, 0}, sum4 = {0, 0, 0, 0};
    int64_t r = 0;
    if (t.dacLevels > 0 || t.dacSign || t.inputPasses > 1) {
      Double4 norms[3] = {}, sums[3] = {};
      for (; r + 16 <= rows; r += 16) {
        Double4 c[4];
        for (int g = 0; g < 4; ++g)
          c[g] = Double4{codes[r + 4 * g], codes[r + 4 * g + 1],
                         codes[r + 4 * g + 2], codes[r + 4 * g + 3]};
        norm4 += c[0] * c[0];
        sum4 += c[0];
        for (int g = 1; g < 4; ++g) {
          norms[g - 1] += c[g] * c[g];
          sums[g - 1] += c[g];
        }
      }
      for (int g = 0; g < 3; ++g) {
        norm4 += norms[g];
        sum4 += sums[g];
      }
    }
    for (; r + 4 <= rows; r += 4) {
      Double4 c = {codes[r], codes[r + 1], codes[r + 2], codes[r + 3]};
      norm4 += c * c;
      sum4 += c;
    }
    for (; r < rows; ++r) {
      double c = codes[r];
      norm4[0] += c * c;
      sum4[0] += c;
    }
    double norm = (norm4[0] + norm4[1]) + (norm4[2] + norm4[3]);
    double sum = (sum4[0] + sum4[1]) + (sum4[2] + sum4[3]);
    if (!w.xd.empty()) // double GEMM: exact codes (or the unquantised input)
      for (int64_t r = 0; r < rows; ++r)
        w.xd[size_t(b * rows + r)] =
            t.dacLevels == 0 && !t.dacSign && t.inputPasses == 1
                ? double(xb[r]) * inverse
                : double(codes[r]);
    w.norm[b] = std::sqrt(norm) * w.unit;
    w.reference[b] = 0.5 * sum * w.unit;
  }
}

/// Read noise, conversion and shift-add of one plane's GEMM result (yf,
/// or yd for a plane of double codes; var its proportional read
/// variances) into passOut for batch rows [b0, b1), in branch-free loops:
/// first the rows' Gaussians (uniforms, the inverse CDF's centre for all,
/// the few tails of all rows together), then row by row the noisy sums
/// and their conversion.
CIM_VECTOR_CLONES void convertRows(const SimTile &t, uint64_t seed,
                                   const Plane &plane, size_t pl, int p,
                                   uint64_t sequence, int64_t b0, int64_t b1,
                                   const float *yf, const double *yd,
                                   const float *varOut, Work &w) {
  const int64_t cols = t.cols;
  const size_t n = size_t((b1 - b0) * cols);
  const double scale = w.unit * plane.unit;
  const double sigma = t.readSigma * plane.noiseGain;
  const double levels = t.adcLevels, shift = plane.shift;
  const double *mid = plane.mid.data(), *half = plane.half.data();
  const double *offsets =
      plane.adcOffset.empty() ? nullptr : plane.adcOffset.data();
  // Each column's window: code = round(clamp((a - mid) L / half + offset,
  // -L, L)); out = mid + code half / L (times the plane's shift).
  const double *toCode = plane.toCode.data(), *fromCode = plane.fromCode.data();
  NoiseStream read(seed, kRead);
  uint64_t callKey = combineKey(
      combineKey(combineKey(combineKey(0, t.id), sequence), uint64_t(p)), pl);
  w.uniform.resize(n);
  w.normal.resize(n);
  w.tail.resize(n);
  w.zeros.resize(size_t(cols)); // never written: stays zero
  w.tailAt.resize(n + 8);
  w.tailNormal.resize(n);
  const bool proportional = !plane.readVar.empty();
  auto noisy = [&](int64_t b) { return sigma * w.norm[b] > 0 || proportional; };

  // Gaussians by the inverse CDF: uniforms and the centre's rational
  // function for every output (vectorised), and a flag byte per output
  // in a tail (a vectorised compare).
  double *u = w.uniform.data();
  float *z = w.normal.data();
  uint8_t *tail = w.tail.data();
  int64_t flagged = 0; // outputs flagged so far (whole noisy rows)
  for (int64_t b = b0; b < b1; ++b) {
    const int64_t o = (b - b0) * cols;
    if (!noisy(b)) {
      std::fill(tail + o, tail + o + cols, uint8_t(0));
      continue;
    }
    uint64_t counter =
        read.counterOf(combineKey(callKey, uint64_t(w.first + b)));
    for (int64_t c = o; c < o + cols; ++c) {
      u[c] = NoiseStream::nextUniform(counter);
      z[c] = NoiseStream::inverseNormalCentreF(float(u[c]));
      tail[c] = NoiseStream::isTail(u[c]);
    }
    flagged = o + cols;
  }
  // The tails of all rows together: their positions listed without a
  // branch (a tail is random: a branch on it would be mispredicted at
  // nearly every one), then their formula, logarithm included, in one
  // vectorised loop. Rows without noise hold no flags.
  int32_t *at = w.tailAt.data();
  const int64_t count = listFlags(tail, flagged, at);
  double *zt = w.tailNormal.data();
  for (int64_t i = 0; i < count; ++i)
    zt[i] = u[at[i]];
  for (int64_t i = 0; i < count; ++i)
    zt[i] = NoiseStream::inverseNormalTail(zt[i]);
  for (int64_t i = 0; i < count; ++i)
    z[at[i]] = float(zt[i]);

  for (int64_t b = b0; b < b1; ++b) {
    double *out = w.passOut.data() + b * cols;
    // The first plane adds to zero (as to a zeroed row), the others to
    // the sum so far.
    const double *sum = pl == 0 ? w.zeros.data() : out;
    const float *zb = z + (b - b0) * cols;
    const double noise = sigma * w.norm[b];
    // Each readout's conversion of the row's analog sums, one loop per
    // readout that computes each sum as it goes.
    auto convertRow = [&](auto analog) CIM_INLINE {
      if (t.ramp) {
        // The ramp compares the pre-activation in model units.
        const double *scales = t.scales.data();
        for (int64_t c = 0; c < cols; ++c)
          out[c] = sum[c] +
                   t.rampAdc.convert(analog(c) * w.s[b] * scales[c]) * shift;
      } else if (t.adcSign) {
        for (int64_t c = 0; c < cols; ++c)
          out[c] = sum[c] +
                   (mid[c] + signCompare(analog(c) - mid[c], half[c])) * shift;
      } else if (levels == 0) {
        for (int64_t c = 0; c < cols; ++c)
          out[c] = sum[c] + analog(c) * shift;
      } else if (offsets) {
        for (int64_t c = 0; c < cols; ++c)
          out[c] = sum[c] + (mid[c] * shift +
                             roundCode(std::clamp(
                                 (analog(c) - mid[c]) * toCode[c] + offsets[c],
                                 -levels, levels)) *
                                 fromCode[c]);
      } else {
        for (int64_t c = 0; c < cols; ++c)
          out[c] =
              sum[c] + (mid[c] * shift +
                        roundCode(std::clamp((analog(c) - mid[c]) * toCode[c],
                                             -levels, levels)) *
                            fromCode[c]);
      }
    };
    // The analog sums: the GEMM's, plus the read noise. Proportional
    // noise is an independent source: the additive and the proportional
    // variances add, one Gaussian per output.
    const float noise2 = float(noise * noise), unit2 = float(w.unit * w.unit);
    const float *var = proportional ? varOut + b * cols : nullptr;
    auto withNoise = [&](auto gemmSum) CIM_INLINE {
      if (proportional)
        convertRow([&](int64_t c) CIM_INLINE {
          return gemmSum(c) +
                 double(std::sqrt(noise2 + unit2 * var[c]) * zb[c]);
        });
      else if (noise > 0)
        convertRow([&](int64_t c) CIM_INLINE {
          return gemmSum(c) + noise * double(zb[c]);
        });
      else
        convertRow(gemmSum);
    };
    if (!plane.wd.empty()) {
      const double *ydb = yd + b * cols;
      withNoise([&](int64_t c) CIM_INLINE { return ydb[c] * scale; });
    } else {
      const float *yfb = yf + b * cols;
      withNoise([&](int64_t c) CIM_INLINE { return double(yfb[c]) * scale; });
    }
  }
}

/// Batch row b's outputs from its total over planes and passes
/// (`total(c)`, computed as the outputs are).
template <typename Total>
CIM_INLINE inline void outputRow(const SimTile &t, const Work &w, int64_t b,
                                 Total total, float *to) {
  const int64_t cols = t.cols;
  if (!w.finite[b])
    std::fill(to, to + cols, std::numeric_limits<float>::quiet_NaN());
  else if (t.ramp) // a ramp's levels are already outputs in model units
    for (int64_t c = 0; c < cols; ++c)
      to[c] = float(total(c));
  else if (!t.gain.empty())
    for (int64_t c = 0; c < cols; ++c)
      to[c] = float((total(c) - t.offset[size_t(c)]) / t.gain[size_t(c)] *
                    (w.s[b] * t.scales[size_t(c)]));
  else
    for (int64_t c = 0; c < cols; ++c)
      to[c] = float(total(c) * (w.s[b] * t.scales[size_t(c)]));
}

/// Rows [first, first + batch) of a quantised MVM.
CIM_VECTOR_CLONES void quantizedRows(const SimTile &t, uint64_t seed,
                                     const float *x, int64_t first,
                                     int64_t batch, float *y,
                                     uint64_t sequence) {
  const int64_t rows = t.rows, cols = t.cols;
  const size_t in = size_t(batch * rows), out = size_t(batch * cols);
  // Buffers kept per thread across calls: fresh large allocations would
  // cost page faults on every MVM.
  thread_local Work w;
  bool anyDouble = std::any_of(t.planes.begin(), t.planes.end(),
                               [](const Plane &p) { return !p.wd.empty(); });
  w.first = first;
  w.s.assign(size_t(batch), 0.0);
  w.finite.assign(size_t(batch), 1);
  w.norm.resize(size_t(batch));
  w.reference.resize(size_t(batch));
  w.xf.resize(in);
  // xd and yd only for planes of double codes (drivePass fills xd when
  // it is not empty).
  w.xd.resize(anyDouble ? in : 0);
  w.passOut.resize(out);
  w.total.resize(out);
  if (t.inputPasses > 1)
    w.code.resize(in);
  // DAC: normalise each input vector by its largest magnitude; for
  // bit-serial inputs round it to input_bits.
  for (int64_t b = 0; b < batch; ++b) {
    const float *xb = x + b * rows;
    // The largest magnitude, in sixteen float lanes (the maximum does not
    // depend on the order). NaN fails every comparison, so non-finite
    // inputs are tracked apart: v - v is 0 for a finite v and NaN for an
    // infinite or NaN one.
    Float16 largest16 = {}, nonFinite16 = {};
    int64_t r = 0;
    for (; r + 16 <= rows; r += 16) {
      Float16 v;
      std::memcpy(&v, xb + r, sizeof v);
      v = Float16(Int16(v) & 0x7fffffff); // |v|
      largest16 = v > largest16 ? v : largest16;
      nonFinite16 += v - v;
    }
    for (; r < rows; ++r) {
      float v = std::fabs(xb[r]);
      largest16[0] = v > largest16[0] ? v : largest16[0];
      nonFinite16[0] += v - v;
    }
    float largest = 0;
    bool finite = true;
    for (int k = 0; k < 16; ++k) {
      largest = largest16[k] > largest ? largest16[k] : largest;
      finite &= nonFinite16[k] == 0;
    }
    w.s[b] = largest;
    w.finite[b] = finite;
    if (t.inputPasses > 1)
      for (int64_t r = 0; r < rows; ++r) {
        int64_t i = b * rows + r;
        double v = w.s[b] > 0 ? double(x[i]) / w.s[b] : 0.0;
        w.code[i] = uint64_t(std::llround(std::fabs(v) * t.inputLevels));
      }
  }
  double base = t.dacLevels + 1; // 2^(dac_bits - 1)
  double passWeight = t.inputPasses > 1 ? t.dacLevels / t.inputLevels : 1.0;
  w.unit = t.inputPasses > 1 || (!t.dacSign && t.dacLevels > 0)
               ? 1.0 / t.dacLevels
               : 1.0;
  bool proportional =
      std::any_of(t.planes.begin(), t.planes.end(),
                  [](const Plane &p) { return !p.readVar.empty(); });
  const size_t planes = t.planes.size();
  w.yf.resize(planes * out);
  w.yd.resize(anyDouble ? planes * out : 0);
  if (proportional)
    w.var.resize(planes * out);
  // Each plane's GEMM for the whole block, then the rest a few rows at a
  // time (about 2 K outputs), so that those rows' conversions, sums over
  // planes and passes, and outputs stay in L1.
  const int64_t chunk = std::max<int64_t>(1, 2048 / cols);
  for (int p = 0; p < t.inputPasses; ++p) {
    drivePass(t, x, base, 0, batch, w);
    if (proportional)
      squareInputs(w.xf.data(), batch, rows, w.squares);
    for (size_t pl = 0; pl < planes; ++pl) {
      const Plane &plane = t.planes[pl];
      gemm(t, plane, w.xd.data(), w.xf.data(), batch,
           anyDouble ? w.yd.data() + pl * out : nullptr,
           w.yf.data() + pl * out);
      if (!plane.readVar.empty())
        varianceProduct(w.squares.data(), batch, plane.readVar,
                        w.var.data() + pl * out);
    }
    const bool last = p + 1 == t.inputPasses;
    for (int64_t b0 = 0; b0 < batch; b0 += chunk) {
      const int64_t b1 = std::min(batch, b0 + chunk);
      for (size_t pl = 0; pl < planes; ++pl)
        convertRows(t, seed, t.planes[pl], pl, p, sequence, b0, b1,
                    w.yf.data() + pl * out,
                    anyDouble ? w.yd.data() + pl * out : nullptr,
                    proportional ? w.var.data() + pl * out : nullptr, w);
      for (int64_t b = b0; b < b1; ++b) {
        double reference = t.offsetReference ? w.reference[b] : 0.0;
        double factor = t.offsetReference ? 2.0 * passWeight : passWeight;
        const double *from = w.passOut.data() + b * cols;
        double *to = w.total.data() + b * cols;
        // The first pass adds to zero, as a zeroed total would; the last
        // one's total goes straight to the outputs.
        auto total = [&](int64_t c) CIM_INLINE {
          return (p == 0 ? 0.0 : to[c]) + (from[c] - reference) * factor;
        };
        if (last)
          outputRow(t, w, b, total, y + b * cols);
        else
          for (int64_t c = 0; c < cols; ++c)
            to[c] = total(c);
      }
    }
    passWeight *= base;
  }
}

} // namespace

void mvmIdeal(const SimTile &t, ThreadPool &pool, const float *x, int64_t batch,
              float *y) {
  if (batch == 1) {
    // One vector: its columns are split over the pool, each part a GEMV
    // on a column block of the weights (every column's sum is the same
    // dot product whatever the split).
    const Plane &plane = t.planes.front();
    const int64_t minCols =
        std::max<int64_t>(8, (int64_t(1) << 16) / std::max<int64_t>(1, t.rows));
    pool.run(t.cols, minCols, [&](int64_t c0, int64_t c1) {
      cblas_sgemv(CblasRowMajor, CblasTrans, int(t.rows), int(c1 - c0), 1.0f,
                  plane.w.data() + c0, int(t.cols), x, 1, 0.0f, y + c0, 1);
      if (t.ramp)
        for (int64_t c = c0; c < c1; ++c)
          y[c] = float(t.activation(double(y[c])));
    });
    return;
  }
  pool.run(batch, minRows(t), [&](int64_t b0, int64_t b1) {
    gemm(t, t.planes.front(), nullptr, x + b0 * t.rows, b1 - b0, nullptr,
         y + b0 * t.cols);
    if (t.ramp) // the fused activation, exact
      for (int64_t i = b0 * t.cols; i < b1 * t.cols; ++i)
        y[i] = float(t.activation(double(y[i])));
  });
}

void mvmQuantized(const SimTile &t, ThreadPool &pool, uint64_t seed,
                  const float *x, int64_t batch, float *y, uint64_t sequence) {
  // The batch goes through the whole chain in blocks of rows small enough
  // that a block's buffers and the tile's planes stay in cache between the
  // GEMM and the per-element steps. Blocks start at fixed multiples of the
  // block size and threads take whole blocks, so every GEMM has the same
  // rows on any number of threads (draws are keyed by batch row anyway).
  const int64_t block = std::max<int64_t>(
      8, std::min<int64_t>(64, (int64_t(1) << 17) /
                                   std::max<int64_t>(1, t.rows + t.cols)));
  const int64_t blocks = (batch + block - 1) / block;
  pool.run(blocks, std::max<int64_t>(1, minRows(t) / block),
           [&](int64_t k0, int64_t k1) {
             for (int64_t b = k0 * block; b < std::min(batch, k1 * block);
                  b += block)
               quantizedRows(t, seed, x + b * t.rows, b,
                             std::min(block, batch - b), y + b * t.cols,
                             sequence);
           });
}

void decideNeurons(const SimTile &t, bool ideal, uint64_t seed,
                   const float *carry, int64_t batch, float *y,
                   uint64_t sequence) {
  const int64_t cols = t.cols, n = batch * cols;
  if (carry) // charge sharing with the previous groups
    for (int64_t i = 0; i < n; ++i)
      y[i] += carry[i];
  if (!t.brokenCharge.empty()) // broken bridges' expected charge
    for (int64_t i = 0; i < n; ++i)
      y[i] += float(t.brokenCharge[size_t(i % cols)]);
  if (t.neurons.empty())
    return;
  if (ideal) {
    for (int64_t i = 0; i < n; ++i)
      y[i] = t.neurons[size_t(i % cols)].exact(y[i]);
    return;
  }
  NoiseStream noise(seed, kComparatorNoise);
  uint64_t callKey = combineKey(combineKey(0, t.id), sequence);
  std::vector<double> u(static_cast<size_t>(cols));
  for (int64_t b = 0; b < batch; ++b) {
    float *row = y + b * cols;
    if (t.comparatorNoise > 0)
      noise.uniforms(combineKey(callKey, uint64_t(b)), u.data(), cols);
    for (int64_t c = 0; c < cols; ++c) {
      double error = t.comparatorOffset.empty()
                         ? 0.0
                         : t.comparatorOffset[size_t(c)];
      if (t.comparatorNoise > 0)
        error += t.comparatorNoise *
                 NoiseStream::inverseNormal(u[size_t(c)]);
      // A NaN charge (a non-finite input) stays NaN.
      row[c] = row[c] != row[c] ? row[c]
                                : t.neurons[size_t(c)].compare(row[c], error);
    }
  }
}

uint64_t trimComparators(SimTile &t, uint64_t seed) {
  if (t.comparatorOffset.empty())
    return 0;
  NoiseStream noise(seed, kCalibration);
  const double range = 4 * t.comparatorOffsetSigma + 1;
  for (size_t c = 0; c < t.comparatorOffset.size(); ++c) {
    double lo = -range, hi = range;
    for (int step = 0; step < kTrimSteps; ++step) {
      double trim = 0.5 * (lo + hi);
      double z = t.comparatorNoise > 0
                     ? noise.gaussian(combineKey(
                           combineKey(combineKey(0, t.id), c), uint64_t(step)))
                     : 0.0;
      // At rest the comparator sees its offset against the trimmed
      // reference: high means the offset is above the trim.
      if (t.comparatorOffset[c] - trim + t.comparatorNoise * z > 0)
        lo = trim;
      else
        hi = trim;
    }
    t.comparatorOffset[c] -= 0.5 * (lo + hi);
  }
  return uint64_t(t.comparatorOffset.size()) * kTrimSteps;
}

void calibrateTile(SimTile &t, const SimTile &reference, ThreadPool &pool,
                   uint64_t seed) {
  const int64_t rows = t.rows, cols = t.cols, k = kCalibrationVectors;
  // Known vectors: uniform in [-1, 1] with one element at +-1 (so the DAC
  // drives them at full scale), from a stream of their own.
  NoiseStream vectors(seed, kCalibration);
  std::vector<double> u(static_cast<size_t>(rows));
  std::vector<float> x(size_t(k * rows));
  for (int64_t v = 0; v < k; ++v) {
    vectors.uniforms(combineKey(combineKey(0, t.id), uint64_t(v)), u.data(),
                     rows);
    for (int64_t r = 0; r < rows; ++r)
      x[size_t(v * rows + r)] = float(2 * u[size_t(r)] - 1);
    x[size_t(v * rows + v % rows)] = v % 2 ? -1.0f : 1.0f;
  }
  // Measured and designed outputs (keyed apart from inference MVMs), in
  // normalised units (every vector's largest element is 1).
  std::vector<float> y(size_t(k * cols)), want(size_t(k * cols));
  mvmQuantized(t, pool, seed, x.data(), k, y.data(), ~uint64_t(0));
  mvmQuantized(reference, pool, seed, x.data(), k, want.data(), ~uint64_t(0));
  t.gain.assign(size_t(cols), 1.0);
  t.offset.assign(size_t(cols), 0.0);
  const Plane &top = reference.planes.back();
  for (int64_t c = 0; c < cols; ++c) {
    double scale = t.scales[size_t(c)];
    double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
    for (int64_t v = 0; v < k; ++v) {
      double designed = double(want[size_t(v * cols + c)]) / scale;
      // A clipped result says nothing about the column's gain.
      if (reference.planes.size() == 1 &&
          std::fabs(designed - top.mid[size_t(c)]) >=
              top.half[size_t(c)] * (1 - 1e-6))
        continue;
      double measured = double(y[size_t(v * cols + c)]) / scale;
      sx += designed;
      sy += measured;
      sxx += designed * designed;
      sxy += designed * measured;
      n += 1;
    }
    double var = n > 0 ? sxx - sx * sx / n : 0;
    double gain = var > 0 ? (sxy - sx * sy / n) / var : 0;
    // Too few unclipped vectors, or a gain far from 1: no correction
    // rather than a wild one.
    if (n >= 8 && gain > 0.5 && gain < 2.0) {
      t.gain[size_t(c)] = gain;
      t.offset[size_t(c)] = (sy - gain * sx) / n;
    }
  }
}

} // namespace cim::rt::sim
