//===- VarianceProduct.h - Conductance-proportional variances --*- C++ -*-===//
//
// The column variances of conductance-proportional read noise: for each
// input vector x and column c, sum_r x_r^2 v_rc, where v_rc is the read
// variance of the cells behind weight (r, c). A variance only scales a
// Gaussian's sigma, so it is computed to bfloat16 products: x^2 and v
// rounded to bfloat16 (8 significant bits, to nearest even), each product
// exact in float32, the products added in float32 in a fixed order. Every
// term is non-negative, so each variance is within about 2^-7 of its exact
// value (a sigma within 2^-8), and the result is the same bits on every
// machine and for any batch: one sum per output, over the rows in pairs,
// row 2p + 1 then row 2p of each pair p, which is the order of the AVX-512 BF16
// dot product (vdpbf16ps). CPUs with that instruction run it; others run
// a portable kernel that rounds the same.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_DRIVERS_SIM_VARIANCEPRODUCT_H
#define CIMRT_SRC_DRIVERS_SIM_VARIANCEPRODUCT_H

#include <cstdint>
#include <cstring>
#include <vector>

namespace cim::rt::sim {

/// A plane's per-weight read variances (rows x cols), packed once at
/// programming: bfloat16, the two rows of each pair in one 32-bit word
/// (row 2p in the low half), in panels of kPanel columns (the last one
/// padded with zeros), pair by pair within a panel.
struct PackedVariances {
  static constexpr int64_t kPanel = 64;
  int64_t rows = 0, cols = 0;
  std::vector<uint32_t> words;

  bool empty() const { return words.empty(); }
  /// Pairs of rows, the last one padded with a zero row if rows is odd.
  static int64_t pairsOf(int64_t rows) { return (rows + 1) / 2; }
  int64_t pairs() const { return pairsOf(rows); }
};

/// The bfloat16 nearest a float (ties to even); magnitudes below 2^-63
/// become zero, so that every product of two such values, and every sum
/// of non-negative products, is a normal float or zero (the dot-product
/// instruction flushes subnormals); NaN becomes the quiet NaN. Without a
/// branch, so that loops of it vectorise.
inline uint16_t toBfloat16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  const uint32_t magnitude = u & 0x7fffffffu;
  const uint32_t nearest = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  const uint32_t signedZero = (u >> 16) & 0x8000u;
  return uint16_t(magnitude > 0x7f800000u   ? 0x7fc0u    // NaN
                  : magnitude < 0x20000000u ? signedZero // below 2^-63
                                            : nearest);
}

/// Packs v (rows x cols, row-major; non-negative).
PackedVariances packVariances(const float *v, int64_t rows, int64_t cols);

/// x^2 (x: batch x rows, row-major) in bfloat16, each row padded to
/// whole pairs (a zero after an odd row count), into `squares`: the input
/// of varianceProduct, computed once for all of a tile's planes.
void squareInputs(const float *x, int64_t batch, int64_t rows,
                  std::vector<uint16_t> &squares);

/// out (batch x cols, row-major) = the squared inputs (squareInputs, of
/// variances.rows per vector) times the packed variances, as the file
/// comment describes.
void varianceProduct(const uint16_t *squares, int64_t batch,
                     const PackedVariances &variances, float *out);

/// The same with the portable kernel whatever the CPU (for tests).
void varianceProductPortable(const uint16_t *squares, int64_t batch,
                             const PackedVariances &variances, float *out);

} // namespace cim::rt::sim

#endif // CIMRT_SRC_DRIVERS_SIM_VARIANCEPRODUCT_H
