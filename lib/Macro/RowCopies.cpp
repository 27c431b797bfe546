//===- RowCopies.cpp - Spreading rows over a tile's free rows ---*- C++ -*-===//

#include "cim/Macro/RowCopies.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cim::macro {
namespace {

/// Each column's peak |w| / k over the rows (and the fixed row), the row
/// holding it (rows for the fixed row), and the peak without that row.
struct Peaks {
  std::vector<double> peak, second, signal;
  std::vector<size_t> row;
};

Peaks peaks(const float *w, size_t rows, size_t cols,
            const std::vector<int64_t> &copies,
            const std::vector<float> &fixed) {
  Peaks p{std::vector<double>(cols, 0.0), std::vector<double>(cols, 0.0),
          std::vector<double>(cols, 0.0), std::vector<size_t>(cols, rows)};
  for (size_t c = 0; c < cols && !fixed.empty(); ++c) {
    p.peak[c] = std::fabs(fixed[c]);
    p.signal[c] = double(fixed[c]) * fixed[c];
  }
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) {
      double v = std::fabs(w[r * cols + c]);
      p.signal[c] += v * v;
      v /= double(copies[r]);
      if (v > p.peak[c]) {
        p.second[c] = p.peak[c];
        p.peak[c] = v;
        p.row[c] = r;
      } else {
        p.second[c] = std::max(p.second[c], v);
      }
    }
  return p;
}

double drivenRows(const std::vector<int64_t> &copies, size_t fixedRows) {
  return double(std::accumulate(copies.begin(), copies.end(), int64_t(0))) +
         double(fixedRows);
}

/// Adds rows one at a time to `copies` where they lower the measure most,
/// while one does and `extraRows` last; returns the measure.
double grow(const float *w, size_t rows, size_t cols,
            std::vector<int64_t> &copies, const std::vector<float> &fixed,
            size_t fixedRows, int64_t extraRows, int64_t maxCopies) {
  for (;; --extraRows) {
    Peaks p = peaks(w, rows, cols, copies, fixed);
    double sum = 0;
    std::vector<double> relief(rows, 0.0);
    for (size_t c = 0; c < cols; ++c) {
      if (p.signal[c] == 0)
        continue;
      sum += p.peak[c] * p.peak[c] / p.signal[c];
      size_t r = p.row[c];
      if (r == rows)
        continue; // the fixed row holds the peak
      double split = std::fabs(w[r * cols + c]) / double(copies[r] + 1);
      double next = std::max(p.second[c], split);
      relief[r] += (p.peak[c] * p.peak[c] - next * next) / p.signal[c];
    }
    double driven = drivenRows(copies, fixedRows);
    double current = driven * sum;
    if (extraRows <= 0)
      return current;
    double best = current * (1 - 1e-9);
    size_t bestRow = rows;
    for (size_t r = 0; r < rows; ++r) {
      if (copies[r] >= maxCopies || relief[r] <= 0)
        continue;
      double measure = (driven + 1) * (sum - relief[r]);
      if (measure < best) {
        best = measure;
        bestRow = r;
      }
    }
    if (bestRow == rows)
      return current;
    ++copies[bestRow];
  }
}

} // namespace

double rowCopiesNoise(const float *w, size_t rows, size_t cols,
                      const std::vector<int64_t> &copies,
                      const std::vector<float> &fixed, size_t fixedRows) {
  Peaks p = peaks(w, rows, cols, copies, fixed);
  double sum = 0;
  for (size_t c = 0; c < cols; ++c)
    if (p.signal[c] > 0)
      sum += p.peak[c] * p.peak[c] / p.signal[c];
  return drivenRows(copies, fixedRows) * sum;
}

std::vector<int64_t> chooseRowCopies(const float *w, size_t rows, size_t cols,
                                     const std::vector<float> &fixed,
                                     size_t fixedRows, int64_t extraRows,
                                     int64_t maxCopies, double maxRatio) {
  std::vector<int64_t> best(rows, 1);
  if (rows == 0 || cols == 0 || extraRows <= 0 || maxCopies <= 1)
    return best;
  const double single = rowCopiesNoise(w, rows, cols, best, fixed, fixedRows);
  double bestMeasure = single;
  const int64_t n = int64_t(rows);
  for (int64_t u = 1; u <= maxCopies && (u - 1) * n <= extraRows; ++u) {
    std::vector<int64_t> copies(rows, u);
    double measure = grow(w, rows, cols, copies, fixed, fixedRows,
                          extraRows - (u - 1) * n, maxCopies);
    if (measure < bestMeasure * (1 - 1e-9)) {
      bestMeasure = measure;
      best = std::move(copies);
    }
  }
  if (bestMeasure > maxRatio * single)
    return std::vector<int64_t>(rows, 1);
  return best;
}

} // namespace cim::macro
