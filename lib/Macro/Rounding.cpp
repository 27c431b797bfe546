//===- Rounding.cpp - Integer codes of quantised weights --------*- C++ -*-===//
//
// Nearest and data-aware codes of a tile's weights (see Rounding.h).
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Rounding.h"

#include <algorithm>
#include <cmath>

namespace cim::macro {

int32_t nearestCode(double wn, unsigned bitsPerCell, unsigned weightBits,
                    bool offset) {
  double levels = weightLevels(bitsPerCell, weightBits);
  wn = std::clamp(wn, -1.0, 1.0);
  return int32_t(std::llround(
      levels * quantisedWeight(wn, bitsPerCell, weightBits, offset)));
}

CellPlanes codedCellPlanes(const float *gPos, const float *gNeg,
                           const std::vector<int32_t> &codes, size_t n,
                           unsigned bitsPerCell, unsigned weightBits,
                           bool offset) {
  const double levels = weightLevels(bitsPerCell, weightBits);
  if (codes.size() != n || levels == 0)
    return cellPlanes(gPos, gNeg, n, bitsPerCell, weightBits, offset);
  // codes[i] / L as g_pos - g_neg, which cellPlanes rounds back to codes[i].
  std::vector<float> pos(n), neg(n);
  for (size_t i = 0; i < n; ++i) {
    double wn = double(codes[i]) / levels;
    pos[i] = float(std::max(wn, 0.0));
    neg[i] = float(std::max(-wn, 0.0));
  }
  return cellPlanes(pos.data(), neg.data(), n, bitsPerCell, weightBits,
                    offset);
}

bool validCode(int64_t code, unsigned bitsPerCell, unsigned weightBits,
               bool offset) {
  double levels = weightLevels(bitsPerCell, weightBits);
  if (levels == 0 || std::fabs(double(code)) > levels)
    return false;
  return !offset || (code + int64_t(levels)) % 2 == 0;
}

namespace {
/// In-place lower Cholesky factor of the symmetric positive definite n x n
/// matrix `a` (row-major; the upper triangle is left as it was). False if
/// `a` is not positive definite.
bool cholesky(std::vector<double> &a, size_t n) {
  for (size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (size_t k = 0; k < j; ++k)
      d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0))
      return false;
    d = std::sqrt(d);
    a[j * n + j] = d;
    for (size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (size_t k = 0; k < j; ++k)
        s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / d;
    }
  }
  return true;
}

/// The inverse of the symmetric positive definite matrix whose lower
/// Cholesky factor is `l`: (L L^T)^-1 = L^-T L^-1.
std::vector<double> inverseFromCholesky(const std::vector<double> &l,
                                        size_t n) {
  // m = L^-1 (lower triangular), by forward substitution column by column.
  std::vector<double> m(n * n, 0.0);
  for (size_t c = 0; c < n; ++c) {
    m[c * n + c] = 1 / l[c * n + c];
    for (size_t i = c + 1; i < n; ++i) {
      double s = 0;
      for (size_t k = c; k < i; ++k)
        s += l[i * n + k] * m[k * n + c];
      m[i * n + c] = -s / l[i * n + i];
    }
  }
  std::vector<double> inv(n * n, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j <= i; ++j) {
      double s = 0;
      for (size_t k = i; k < n; ++k)
        s += m[k * n + i] * m[k * n + j];
      inv[i * n + j] = inv[j * n + i] = s;
    }
  return inv;
}
} // namespace

std::vector<int32_t> dataAwareCodes(const float *wn, size_t rows, size_t cols,
                                    const float *x, size_t count,
                                    unsigned bitsPerCell, unsigned weightBits,
                                    bool offset) {
  const size_t n = rows * cols;
  std::vector<int32_t> codes(n);
  for (size_t i = 0; i < n; ++i)
    codes[i] = nearestCode(wn[i], bitsPerCell, weightBits, offset);
  const double levels = weightLevels(bitsPerCell, weightBits);
  if (levels == 0 || count == 0 || rows < 2)
    return codes;

  // The inputs' second moment H = x^T x / count, rows in order of falling
  // drive (H's diagonal); rows never driven take no part.
  std::vector<double> moment(rows * rows, 0.0);
  for (size_t v = 0; v < count; ++v) {
    const float *xv = x + v * rows;
    for (size_t i = 0; i < rows; ++i) {
      if (xv[i] == 0)
        continue;
      double xi = xv[i];
      for (size_t j = 0; j <= i; ++j)
        moment[i * rows + j] += xi * double(xv[j]);
    }
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < rows; ++i)
    if (moment[i * rows + i] > 0 && std::isfinite(moment[i * rows + i]))
      order.push_back(i);
  const size_t m = order.size();
  if (m < 2)
    return codes;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return moment[a * rows + a] > moment[b * rows + b];
  });
  std::vector<double> h(m * m);
  double trace = 0;
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < m; ++j) {
      size_t a = std::max(order[i], order[j]), b = std::min(order[i], order[j]);
      h[i * m + j] = moment[a * rows + b] / double(count);
    }
    trace += h[i * m + i];
  }
  const double damp = 0.01 * trace / double(m);
  for (size_t i = 0; i < m; ++i)
    h[i * m + i] += damp;
  // U, the upper Cholesky factor of H^-1 (H^-1 = U^T U): row k of U gives
  // how row k's rounding error is passed on to the rows after it.
  if (!cholesky(h, m))
    return codes;
  std::vector<double> u = inverseFromCholesky(h, m);
  if (!cholesky(u, m))
    return codes;

  // The weights still to round, in the permuted row order.
  std::vector<double> w(m * cols);
  for (size_t i = 0; i < m; ++i)
    for (size_t c = 0; c < cols; ++c)
      w[i * cols + c] = wn[order[i] * cols + c];
  std::vector<double> error(cols);
  for (size_t k = 0; k < m; ++k) {
    // u is lower here (L of H^-1 = L L^T); U = L^T, so U[k][j] = L[j][k].
    const double ukk = u[k * m + k];
    for (size_t c = 0; c < cols; ++c) {
      double target = w[k * cols + c];
      int32_t code = nearestCode(target, bitsPerCell, weightBits, offset);
      codes[order[k] * cols + c] = code;
      error[c] = (target - double(code) / levels) / ukk;
    }
    for (size_t j = k + 1; j < m; ++j) {
      double ukj = u[j * m + k];
      if (ukj == 0)
        continue;
      double *row = w.data() + j * cols;
      for (size_t c = 0; c < cols; ++c)
        row[c] -= error[c] * ukj;
    }
  }
  return codes;
}

} // namespace cim::macro
