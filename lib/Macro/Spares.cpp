//===- Spares.cpp - Remapping faulty lines onto spare ones ------*- C++ -*-===//

#include "cim/Macro/Spares.h"

#include <random>

namespace cim::macro {

FaultyLine pickFaultyLine(const std::vector<double> &rowScore, bool rowsLeft,
                          const std::vector<double> &colScore, bool colsLeft) {
  FaultyLine row, col;
  for (size_t r = 0; rowsLeft && r < rowScore.size(); ++r)
    if (rowScore[r] > 0 &&
        (row.kind == FaultyLine::None || rowScore[r] > rowScore[row.index]))
      row = {FaultyLine::Row, r};
  for (size_t c = 0; colsLeft && c < colScore.size(); ++c)
    if (colScore[c] > 0 &&
        (col.kind == FaultyLine::None || colScore[c] > colScore[col.index]))
      col = {FaultyLine::Column, c};
  if (col.kind == FaultyLine::None)
    return row;
  if (row.kind != FaultyLine::None &&
      rowScore[row.index] >= colScore[col.index])
    return row;
  return col;
}

namespace {

/// A draw's faults: bit 0 the g+ (or only) cell, bit 1 the g- cell.
class FaultDraw {
public:
  FaultDraw(const std::vector<double> &magnitude, size_t slices, size_t rows,
            size_t cols, double rate, bool pairs, uint64_t seed)
      : mag_(magnitude), slices_(slices), rows_(rows), cols_(cols),
        rate_(rate), pairs_(pairs), rng_(seed),
        faulty_(slices * rows * cols, 0), rowScore_(rows, 0.0),
        colScore_(2 * slices * cols, 0.0) {
    for (size_t q = 0; q < slices_; ++q)
      for (size_t r = 0; r < rows_; ++r)
        for (size_t c = 0; c < cols_; ++c)
          set(q, r, c, drawPair());
  }

  /// Adds each (slice, column)'s faulty error energy to `energy`.
  void addEnergy(std::vector<double> &energy) const {
    for (size_t q = 0; q < slices_; ++q)
      for (size_t r = 0; r < rows_; ++r)
        for (size_t c = 0; c < cols_; ++c)
          if (faulty_[at(q, r, c)])
            energy[q * cols_ + c] += mag_[at(q, r, c)] * mag_[at(q, r, c)];
  }

  /// Remaps greedily onto the spares (pickFaultyLine), each spare tried
  /// once, a move kept only if it lowers the line's error.
  void remap(uint32_t spareRows, uint32_t spareCols) {
    uint32_t nextRow = 0, nextCol = 0;
    while (nextRow < spareRows || nextCol < spareCols) {
      FaultyLine line = pickFaultyLine(rowScore_, nextRow < spareRows,
                                       colScore_, nextCol < spareCols);
      if (line.kind == FaultyLine::None)
        return;
      std::vector<uint8_t> moved;
      double before = 0, after = 0;
      if (line.kind == FaultyLine::Row) {
        ++nextRow;
        size_t r = line.index;
        for (size_t q = 0; q < slices_; ++q)
          for (size_t c = 0; c < cols_; ++c) {
            moved.push_back(drawPair());
            before += error(q, r, c, faulty_[at(q, r, c)]);
            after += error(q, r, c, moved.back());
          }
        if (after < before)
          for (size_t q = 0, k = 0; q < slices_; ++q)
            for (size_t c = 0; c < cols_; ++c)
              set(q, r, c, moved[k++]);
      } else {
        ++nextCol;
        size_t q = line.index / (2 * cols_), c = line.index % cols_;
        uint8_t side = uint8_t(1u << (line.index / cols_ % 2));
        for (size_t r = 0; r < rows_; ++r) {
          uint8_t old = faulty_[at(q, r, c)];
          moved.push_back(uint8_t((old & ~side) | (drawCell() ? side : 0)));
          before += error(q, r, c, old);
          after += error(q, r, c, moved.back());
        }
        if (after < before)
          for (size_t r = 0; r < rows_; ++r)
            set(q, r, c, moved[r]);
      }
    }
  }

private:
  size_t at(size_t q, size_t r, size_t c) const {
    return (q * rows_ + r) * cols_ + c;
  }
  double error(size_t q, size_t r, size_t c, uint8_t bits) const {
    return bits ? mag_[at(q, r, c)] : 0.0;
  }
  double uniform() { return double(rng_() >> 11) * 0x1.0p-53; }
  /// A pair is faulty with probability rate_, in one cell of the two.
  uint8_t drawPair() {
    if (uniform() >= rate_)
      return 0;
    return !pairs_ || uniform() < 0.5 ? 1 : 2;
  }
  /// One cell of a pair (half the pair's rate), or the only cell.
  bool drawCell() { return uniform() < (pairs_ ? rate_ / 2 : rate_); }

  /// Sets the faults of weight (q, r, c), keeping the scores current.
  void set(size_t q, size_t r, size_t c, uint8_t bits) {
    size_t i = at(q, r, c);
    double m = mag_[i];
    for (int sign : {-1, 1}) {
      uint8_t b = sign < 0 ? faulty_[i] : bits;
      if (b)
        rowScore_[r] += sign * m;
      for (unsigned s = 0; s < 2; ++s)
        if (b & (1u << s))
          colScore_[(2 * q + s) * cols_ + c] += sign * m;
    }
    faulty_[i] = bits;
  }

  const std::vector<double> &mag_;
  size_t slices_, rows_, cols_;
  double rate_;
  bool pairs_;
  std::mt19937_64 rng_;
  std::vector<uint8_t> faulty_;
  std::vector<double> rowScore_, colScore_;
};

} // namespace

std::vector<double> faultEnergyLeft(const std::vector<double> &magnitude,
                                    size_t slices, size_t rows, size_t cols,
                                    double rate, bool pairs,
                                    uint32_t spareRows, uint32_t spareCols,
                                    unsigned draws, uint64_t seed) {
  std::vector<double> left(slices * cols, 1.0);
  if ((spareRows == 0 && spareCols == 0) || rate <= 0 || draws == 0)
    return left;
  std::vector<double> before(slices * cols, 0.0), after(slices * cols, 0.0);
  for (unsigned d = 0; d < draws; ++d) {
    FaultDraw draw(magnitude, slices, rows, cols, rate, pairs, seed + d);
    draw.addEnergy(before);
    draw.remap(spareRows, spareCols);
    draw.addEnergy(after);
  }
  for (size_t k = 0; k < left.size(); ++k)
    if (before[k] > 0)
      left[k] = after[k] / before[k];
  return left;
}

} // namespace cim::macro
