//===- SimProgramming.cpp - Programming the simulator's tiles ---*- C++ -*-===//
//
// Turns a tile image into the simulator's planes. Ideal mode keeps one
// plane of exact weights. Quantised mode quantises conductances to the
// cell's levels (or slices each weight's code over several cells), sets up
// the converters from the target (DAC levels, bit-serial input passes, ADC
// levels or a sign comparator or a ramp), and, with a noise model, programs
// the cells as a chip would (CellProgrammer: stuck cells, programming
// variation with program-and-verify, the remap of faulty rows and columns
// onto the array's spares, drift, IR drop) and draws each column's ADC
// offset. All draws are keyed by tile, plane and cell (or spare location),
// so one seed gives the same tile whatever else the device holds.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Conductance.h"
#include "cim/Macro/Rounding.h"
#include "cim/Macro/Slicing.h"
#include "cim/Macro/Spares.h"
#include "drivers/sim/SimDevice.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace cim::rt::sim {

using namespace cim::macro;
namespace {

/// The programming-key plane of a tile's ramp column (weight planes use
/// small indices).
constexpr uint64_t kRampColumnPlane = uint64_t(1) << 32;

/// Programs the physical cells of a tile: stuck cells, programming
/// variation with program-and-verify, drift, the remap of faulty lines
/// onto spares, then IR drop along each column. Cells are normalised
/// conductances g in [0, 1] of G_min..G_max.
class CellProgrammer {
public:
  CellProgrammer(const SimOptions &options, double gMinRatio, uint32_t tileId,
                 TileReport &report)
      : m_(options.noise), driftTime_(options.driftTime), gMin_(gMinRatio),
        span_(1 - gMinRatio), compensateIr_(options.calibrate),
        report_(report), stuck_(options.seed, kStuck),
        program_(options.seed, kProgram), drift_(options.seed, kDrift),
        tileKey_(combineKey(0, tileId)) {}

  /// True if programming changes any cell.
  static bool active(const artifact::NoiseModel &m, double driftTime) {
    return m.prog_sigma_rel() > 0 || m.prog_sigma_abs() > 0 ||
           m.stuck_on_rate() > 0 || m.stuck_off_rate() > 0 || m.ir_drop() > 0 ||
           (driftTime > 0 && m.drift_nu() > 0);
  }

  /// Programs the cells of a ramp column in place (`p` keys them): verify
  /// replaces a cell it finds stuck with a working spare, and the cells
  /// are read one at a time, so no IR drop.
  void programRamp(std::vector<double> &cells, uint64_t p) {
    for (size_t i = 0; i < cells.size(); ++i)
      cells[i] = write(cells[i], combineKey(combineKey(tileKey_, p), i));
  }

  /// The spare rows and columns of the tile's array, onto which
  /// remapFaultyLines moves faulty lines.
  void setSpares(uint32_t rows, uint32_t cols) {
    spareRows_ = rows;
    spareCols_ = cols;
  }

  /// Programs plane `p` (rows x cols, row-major) of cell targets in place,
  /// without the IR drop (applyIrDrop, after any remap): differential
  /// pairs with `neg`, else one cell per weight. With
  /// `stuck_compensation`, a pair with one stuck cell (found by the verify
  /// step) reprograms its partner to keep g+ - g- where the range allows.
  /// With spares, the plane (its targets, and the cells verify found
  /// faulty) is kept for remapFaultyLines; `shift` is its weight in the
  /// shift-add.
  void writePlane(std::vector<double> &pos, std::vector<double> *neg,
                  int64_t rows, int64_t cols, uint64_t p, double shift,
                  bool columnIrDrop) {
    if (columnIrDrop) {
      precompensate(pos, rows, cols);
      if (neg)
        precompensate(*neg, rows, cols);
    }
    RecordedPlane plane{&pos, neg, {}, {}, {}, shift,
                        combineKey(tileKey_, 2 * p),
                        combineKey(tileKey_, 2 * p + 1)};
    bool keep = spareRows_ > 0 || spareCols_ > 0;
    if (keep) {
      plane.targetPos = pos;
      if (neg)
        plane.targetNeg = *neg;
      plane.faulty.assign(pos.size(), 0);
    }
    for (size_t i = 0; i < pos.size(); ++i) {
      Written c = neg ? writePair(pos[i], (*neg)[i], combineKey(plane.keyPos, i),
                                  combineKey(plane.keyNeg, i), true, true)
                      : writeOne(pos[i], combineKey(plane.keyPos, i), true);
      pos[i] = c.pos;
      if (neg)
        (*neg)[i] = c.neg;
      if (keep)
        plane.faulty[i] = c.faulty;
    }
    if (keep) {
      rows_ = rows;
      cols_ = cols;
      planes_.push_back(std::move(plane));
    }
  }

  /// Remaps the faulty lines of the planes written since setSpares onto
  /// the spares, greedily: while spares are left, the row (an input line,
  /// all planes' cells) or physical column (one plane's g+ or g- cells,
  /// read through its column's ADC) whose faulty cells carry the most
  /// weight error (|w - w_target| times the plane's shift and the
  /// column's scale, over the weights with a faulty cell;
  /// macro::pickFaultyLine) is programmed again into the next spare line, whose cells draw their own stuck
  /// state, variation and drift. The spare takes the line's place if its
  /// error is smaller; otherwise (it has faulty cells of its own) it stays
  /// unused and the next spare is tried. Every spare is tried at most
  /// once. Counts the remaps in the tile's report.
  void remapFaultyLines(const std::vector<double> &scales) {
    if (planes_.empty())
      return;
    const int64_t rows = rows_, cols = cols_;
    const size_t physCols = 2 * planes_.size() * size_t(cols);
    rowAt_.assign(size_t(rows), kOriginal);
    colAt_.assign(physCols, kOriginal);
    uint32_t nextRow = 0, nextCol = 0;
    std::vector<double> rowScore(static_cast<size_t>(rows)), colScore(physCols);
    while (nextRow < spareRows_ || nextCol < spareCols_) {
      std::fill(rowScore.begin(), rowScore.end(), 0.0);
      std::fill(colScore.begin(), colScore.end(), 0.0);
      for (size_t q = 0; q < planes_.size(); ++q) {
        const RecordedPlane &pl = planes_[q];
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t c = 0; c < cols; ++c) {
            size_t i = size_t(r * cols + c);
            if (!pl.faulty[i])
              continue;
            double e = weightError(pl, i, scales[size_t(c)]);
            rowScore[size_t(r)] += e;
            if (pl.faulty[i] & kPosFaulty)
              colScore[column(q, 0, c)] += e;
            if (pl.faulty[i] & kNegFaulty)
              colScore[column(q, 1, c)] += e;
          }
      }
      macro::FaultyLine line = macro::pickFaultyLine(
          rowScore, nextRow < spareRows_, colScore, nextCol < spareCols_);
      if (line.kind == macro::FaultyLine::None)
        break;
      if (line.kind == macro::FaultyLine::Row)
        report_.rowRemaps +=
            moveRow(int64_t(line.index), kSpareLine | nextRow++, scales);
      else
        report_.colRemaps +=
            moveColumn(line.index, kSpareLine | nextCol++, scales);
    }
    planes_.clear();
  }

  /// First-order IR drop along the columns of a programmed plane.
  void applyIrDrop(std::vector<double> &cells, int64_t rows, int64_t cols) {
    if (m_.ir_drop() > 0)
      irDrop(cells, rows, cols);
  }

  /// Conductance in units of G_max.
  double physical(double g) const { return gMin_ + g * span_; }

  /// First-order IR drop along a row of bridges: the row's driver pair
  /// feeds `cols` bridges, each drawing its series conductance Gs = G+ G- /
  /// (G+ + G-); the bridge j segments from the driver sees the drive
  /// attenuated by 1 - ir_drop * Gbar_s * (j M - j (j - 1) / 2), Gbar_s
  /// the row's mean series conductance, M its bridges (the column model
  /// with the row's currents: the capacitive neuron draws none).
  std::vector<double> bridgeIrFactors(const std::vector<double> &pos,
                                      const std::vector<double> &neg,
                                      int64_t rows, int64_t cols) const {
    std::vector<double> factors(pos.size(), 1.0);
    if (m_.ir_drop() <= 0)
      return factors;
    for (int64_t r = 0; r < rows; ++r) {
      double mean = 0;
      for (int64_t c = 0; c < cols; ++c) {
        size_t i = size_t(r * cols + c);
        double gp = physical(pos[i]), gn = physical(neg[i]);
        mean += gp + gn > 0 ? gp * gn / (gp + gn) : 0.0;
      }
      mean /= double(cols);
      double m = double(cols);
      for (int64_t c = 0; c < cols; ++c) {
        double j = double(c + 1);
        factors[size_t(r * cols + c)] =
            std::max(0.0, 1 - m_.ir_drop() * mean * (j * m - j * (j - 1) / 2));
      }
    }
    return factors;
  }

private:
  double normalised(double G) const { return (G - gMin_) / span_; }

  /// Bits of RecordedPlane::faulty.
  static constexpr uint8_t kPosFaulty = 1, kNegFaulty = 2;
  /// Where a line sits: kOriginal, or kSpareLine | the spare's index.
  static constexpr uint64_t kOriginal = ~uint64_t(0);
  static constexpr uint64_t kSpareLine = uint64_t(1) << 40;
  /// The key plane of cells on spare lines (weight planes use small
  /// indices, the ramp column 2^32).
  static constexpr uint64_t kSparePlane = uint64_t(1) << 33;

  /// A plane written with spares at hand: its cells (as programmed), their
  /// targets, which cells verify found faulty (stuck, or outside the
  /// verify window after the last write) and its keys.
  struct RecordedPlane {
    std::vector<double> *pos, *neg; // neg null: one cell per weight
    std::vector<double> targetPos, targetNeg;
    std::vector<uint8_t> faulty;
    double shift;
    uint64_t keyPos, keyNeg;
  };

  /// A programmed weight: its cells and which of them are faulty.
  struct Written {
    double pos = 0, neg = 0;
    uint8_t faulty = 0;
  };

  /// A differential pair keyed (kp, kn), with the partner of a stuck cell
  /// compensated; `countPos`/`countNeg` say which cells are written for
  /// the first time (a partner written again is not counted twice).
  Written writePair(double tp, double tn, uint64_t kp, uint64_t kn,
                    bool countPos, bool countNeg) {
    std::optional<double> sp = stuckValue(kp), sn = stuckValue(kn);
    double w = tp - tn;
    if (m_.stuck_compensation() && sp && !sn)
      tn = std::clamp(*sp - w, 0.0, 1.0);
    if (m_.stuck_compensation() && sn && !sp)
      tp = std::clamp(*sn + w, 0.0, 1.0);
    Written out;
    bool failed = false;
    out.pos = sp ? (countPos ? countStuck(*sp) : *sp)
                 : write(tp, kp, countPos, &failed);
    if (sp || failed)
      out.faulty |= kPosFaulty;
    failed = false;
    out.neg = sn ? (countNeg ? countStuck(*sn) : *sn)
                 : write(tn, kn, countNeg, &failed);
    if (sn || failed)
      out.faulty |= kNegFaulty;
    return out;
  }

  /// One cell (offset encoding) keyed `key`.
  Written writeOne(double g, uint64_t key, bool count) {
    Written out;
    bool failed = false;
    std::optional<double> stuck = stuckValue(key);
    out.pos = stuck ? (count ? countStuck(*stuck) : *stuck)
                    : write(g, key, count, &failed);
    if (stuck || failed)
      out.faulty = kPosFaulty;
    return out;
  }

  /// The physical column of plane q's g+ (s = 0) or g- (s = 1) cells of
  /// weight column c.
  size_t column(size_t q, int s, int64_t c) const {
    return (2 * q + size_t(s)) * size_t(cols_) + size_t(c);
  }

  /// The key of the cell of plane q, side s, at weight (r, c): the
  /// original cell's while its row and column are in place, else the
  /// spare location's (row, column) pair.
  uint64_t cellKey(size_t q, int s, int64_t r, int64_t c) const {
    const RecordedPlane &pl = planes_[q];
    uint64_t row = rowAt_[size_t(r)], col = colAt_[column(q, s, c)];
    if (row == kOriginal && col == kOriginal)
      return combineKey(s ? pl.keyNeg : pl.keyPos, uint64_t(r * cols_ + c));
    return combineKey(
        combineKey(combineKey(tileKey_, kSparePlane),
                   row == kOriginal ? uint64_t(r) : row),
        col == kOriginal ? uint64_t(column(q, s, c)) : col);
  }

  /// |w - w_target| of weight i of a plane, in weight units.
  static double weightError(const RecordedPlane &pl, size_t i, double scale) {
    double w = (*pl.pos)[i] - (pl.neg ? (*pl.neg)[i] : 0.0);
    double t = pl.targetPos[i] - (pl.neg ? pl.targetNeg[i] : 0.0);
    return std::fabs(w - t) * pl.shift * scale;
  }

  /// Weight (r, c) of plane q written again where its cells now sit;
  /// `countPos`/`countNeg`: which of them are new.
  Written rewrite(size_t q, int64_t r, int64_t c, bool countPos,
                  bool countNeg) {
    const RecordedPlane &pl = planes_[q];
    size_t i = size_t(r * cols_ + c);
    if (!pl.neg)
      return writeOne(pl.targetPos[i], cellKey(q, 0, r, c), countPos);
    return writePair(pl.targetPos[i], pl.targetNeg[i], cellKey(q, 0, r, c),
                     cellKey(q, 1, r, c), countPos, countNeg);
  }

  /// Sets weight i of plane q to `c`.
  void store(size_t q, size_t i, const Written &c) {
    RecordedPlane &pl = planes_[q];
    (*pl.pos)[i] = c.pos;
    if (pl.neg)
      (*pl.neg)[i] = c.neg;
    pl.faulty[i] = c.faulty;
  }

  /// Programs row r into spare row `spare`; keeps it there if its weight
  /// error is smaller than in place.
  bool moveRow(int64_t r, uint64_t spare, const std::vector<double> &scales) {
    uint64_t was = rowAt_[size_t(r)];
    rowAt_[size_t(r)] = spare;
    std::vector<Written> moved;
    double before = 0, after = 0;
    for (size_t q = 0; q < planes_.size(); ++q)
      for (int64_t c = 0; c < cols_; ++c) {
        size_t i = size_t(r * cols_ + c);
        before += weightError(planes_[q], i, scales[size_t(c)]);
        moved.push_back(rewrite(q, r, c, true, true));
        after += trialError(q, i, moved.back(), scales[size_t(c)]);
      }
    if (!(after < before)) {
      rowAt_[size_t(r)] = was;
      return false;
    }
    size_t k = 0;
    for (size_t q = 0; q < planes_.size(); ++q)
      for (int64_t c = 0; c < cols_; ++c)
        store(q, size_t(r * cols_ + c), moved[k++]);
    return true;
  }

  /// Programs physical column pc into spare column `spare`; keeps it
  /// there if its weights' error is smaller than in place.
  bool moveColumn(size_t pc, uint64_t spare,
                  const std::vector<double> &scales) {
    size_t q = pc / (2 * size_t(cols_));
    int s = int(pc / size_t(cols_) % 2);
    int64_t c = int64_t(pc % size_t(cols_));
    uint64_t was = colAt_[pc];
    colAt_[pc] = spare;
    std::vector<Written> moved;
    double before = 0, after = 0;
    for (int64_t r = 0; r < rows_; ++r) {
      size_t i = size_t(r * cols_ + c);
      before += weightError(planes_[q], i, scales[size_t(c)]);
      moved.push_back(rewrite(q, r, c, s == 0, s == 1));
      after += trialError(q, i, moved.back(), scales[size_t(c)]);
    }
    if (!(after < before)) {
      colAt_[pc] = was;
      return false;
    }
    for (int64_t r = 0; r < rows_; ++r)
      store(q, size_t(r * cols_ + c), moved[size_t(r)]);
    return true;
  }

  /// weightError of weight i of plane q if it were `c`.
  double trialError(size_t q, size_t i, const Written &c, double scale) const {
    const RecordedPlane &pl = planes_[q];
    double t = pl.targetPos[i] - (pl.neg ? pl.targetNeg[i] : 0.0);
    return std::fabs((c.pos - (pl.neg ? c.neg : 0.0)) - t) * pl.shift * scale;
  }

  /// 1 (stuck on) or 0 (stuck off) if the cell keyed `key` is stuck.
  std::optional<double> stuckValue(uint64_t key) const {
    double u = stuck_.uniform(key);
    if (u < m_.stuck_on_rate())
      return 1.0;
    if (u < m_.stuck_on_rate() + m_.stuck_off_rate())
      return 0.0;
    return std::nullopt;
  }

  double countStuck(double value) {
    ++report_.cells;
    ++(value > 0 ? report_.stuckOn : report_.stuckOff);
    return value;
  }

  /// Programs one working cell: variation, verify, drift. `count`: add
  /// its writes to the report; `failed`: set if verify leaves it outside
  /// the window.
  double write(double g, uint64_t key, bool count = true,
               bool *failed = nullptr) {
    report_.cells += count;
    double target = physical(g);
    double sigma = m_.prog_sigma_rel() * target + m_.prog_sigma_abs();
    double G = target;
    uint32_t limit = m_.verify_tolerance() > 0 ? m_.verify_max_iterations() : 1;
    for (uint32_t it = 0; it < limit; ++it) {
      G = target + sigma * program_.gaussian(combineKey(key, it));
      report_.writes += count;
      if (m_.verify_tolerance() == 0 ||
          std::fabs(G - target) <= m_.verify_tolerance())
        break;
      if (it + 1 == limit) {
        report_.verifyFailures += count;
        if (failed)
          *failed = true;
      }
    }
    G = std::max(G, 0.0);
    if (driftTime_ > 0 && (m_.drift_nu() > 0 || m_.drift_nu_sigma() > 0)) {
      double t0 = m_.drift_t0() > 0 ? m_.drift_t0() : 1.0;
      double nu = std::max(0.0, m_.drift_nu() +
                                    m_.drift_nu_sigma() * drift_.gaussian(key));
      if (driftTime_ > t0)
        G *= std::pow(driftTime_ / t0, -nu);
    }
    return normalised(G);
  }

  /// First-order IR drop: the cell j segments from the column's sense end
  /// (the last row is next to it) sees its input attenuated by
  /// 1 - ir_drop * Gbar * (j N - j (j - 1) / 2), Gbar the column's mean
  /// conductance in units of G_max, N its rows.
  double irFactor(int64_t row, int64_t rows, double mean) const {
    double n = double(rows), j = double(rows - row);
    return std::max(0.0, 1 - m_.ir_drop() * mean * (j * n - j * (j - 1) / 2));
  }

  void irDrop(std::vector<double> &cells, int64_t rows, int64_t cols) {
    for (int64_t c = 0; c < cols; ++c) {
      double mean = 0;
      for (int64_t r = 0; r < rows; ++r)
        mean += physical(cells[size_t(r * cols + c)]);
      mean /= double(rows);
      for (int64_t r = 0; r < rows; ++r) {
        double &g = cells[size_t(r * cols + c)];
        g = normalised(physical(g) * irFactor(r, rows, mean));
      }
    }
  }

  /// IR-drop compensation, part of device calibration: the driver knows
  /// its array's wire resistance and the cells it is asked to program (not
  /// their variation), so it divides each cell's target by the attenuation
  /// the first-order model gives its row, with the column's mean taken
  /// over the compensated targets (a fixed point, four rounds), up to
  /// G_max: a cell that would need more keeps part of its loss.
  void precompensate(std::vector<double> &cells, int64_t rows, int64_t cols) {
    if (!compensateIr_ || m_.ir_drop() <= 0)
      return;
    std::vector<double> want(static_cast<size_t>(rows)), have(want.size());
    for (int64_t c = 0; c < cols; ++c) {
      for (int64_t r = 0; r < rows; ++r)
        want[size_t(r)] = have[size_t(r)] =
            physical(cells[size_t(r * cols + c)]);
      for (int round = 0; round < 4; ++round) {
        double mean = 0;
        for (double g : have)
          mean += g;
        mean /= double(rows);
        for (int64_t r = 0; r < rows; ++r) {
          double f = irFactor(r, rows, mean);
          have[size_t(r)] = f > 0 ? std::min(want[size_t(r)] / f, 1.0) : 1.0;
        }
      }
      for (int64_t r = 0; r < rows; ++r)
        cells[size_t(r * cols + c)] = normalised(have[size_t(r)]);
    }
  }

  const artifact::NoiseModel &m_;
  double driftTime_, gMin_, span_;
  bool compensateIr_;
  TileReport &report_;
  NoiseStream stuck_, program_, drift_;
  uint64_t tileKey_;
  uint32_t spareRows_ = 0, spareCols_ = 0;
  // The planes written with spares at hand, their geometry, and where
  // each row and physical column sits (remapFaultyLines).
  std::vector<RecordedPlane> planes_;
  int64_t rows_ = 0, cols_ = 0;
  std::vector<uint64_t> rowAt_, colAt_;
};

void programIdeal(SimTile &t, const hal::TileImage &tile,
                  TileConductances *read) {
  if (read) {
    read->gPos.emplace_back(tile.gPos.begin(), tile.gPos.end());
    read->gNeg.emplace_back(tile.gNeg.begin(), tile.gNeg.end());
  }
  Plane plane;
  size_t n = size_t(t.rows) * size_t(t.cols);
  plane.w.resize(n);
  for (size_t i = 0; i < n; ++i)
    plane.w[i] = float(t.scales[i % size_t(t.cols)] *
                       (double(tile.gPos[i]) - double(tile.gNeg[i])));
  t.planes.push_back(std::move(plane));
}

/// The ramp column of a fused readout: the cells the compiler computed,
/// one per step between thresholds (the largest step at G_max), programmed
/// like the weights (variation, verify, drift; analog-tuned, not quantised
/// to cell levels). A stuck cell would shift every later threshold by up
/// to the largest step, so verify replaces it with a spare cell; the ramp
/// reads its cells one at a time, so there is no IR drop. The realised
/// thresholds are the running sums of the programmed steps from the ramp's
/// start `lo`, a cell at G_max being the largest step.
void programRampColumn(SimTile &t, const hal::RampImage &ramp,
                       const macro::ConductanceRange &range,
                       CellProgrammer &programmer) {
  std::vector<double> &thresholds = t.rampAdc.thresholds;
  double prev = ramp.lo, largest = 0;
  for (double th : thresholds) {
    largest = std::max(largest, th - prev);
    prev = th;
  }
  if (!(largest > 0) || ramp.conductancesUs.size() != thresholds.size())
    return;
  std::vector<double> cells(thresholds.size());
  for (size_t k = 0; k < cells.size(); ++k)
    cells[k] = std::max(0.0, range.normalised(ramp.conductancesUs[k]));
  programmer.programRamp(cells, kRampColumnPlane);
  double at = ramp.lo;
  for (size_t k = 0; k < thresholds.size(); ++k) {
    at += std::max(0.0, cells[k]) * largest;
    thresholds[k] = at;
  }
}

/// The target's DAC on a quantised tile: levels (a sign at 1 bit) and the
/// passes of bit-serial inputs.
void setDac(SimTile &t, const hal::MacroConfig &target) {
  t.quantized = true;
  t.dacLevels = signedLevels(target.dacBits);
  t.dacSign = target.dacBits == 1;
  t.inputPasses = int(inputPasses(target.inputBits, target.dacBits));
  if (t.inputPasses > 1)
    t.inputLevels = signedLevels(target.inputBits);
}

/// A bridge tile on the quantised simulator: each +-1 weight is a pair of
/// cells (LRS/HRS or HRS/LRS) programmed with the noise model's
/// variation, stuck cells and drift, read as a voltage divider between
/// the row's two drive lines: the bridge's node sits at x (G+ - G-) /
/// (G+ + G-) of the drive, which the plane holds over the nominal ratio
/// (1 for a designed +-1) times its coupling capacitor's mismatch and the
/// row's IR drop. The columns' capacitors share the charge (the GEMM over
/// the plane); no ADC. Each neuron's comparator offset is drawn here, in
/// units of q (an offset of one bridge swing is fan_in units of q).
Status programBridge(SimTile &t, const hal::TileImage &tile,
                     const hal::MacroConfig &target, const SimOptions &options,
                     TileConductances *read) {
  const artifact::NoiseModel &m = options.noise;
  if (tile.encoding != hal::WeightEncoding::Differential)
    return makeError(Code::InvalidArgument, "tile ", tile.id,
                     ": a bridge tile needs differential pairs");
  setDac(t, target);
  t.adcLevels = 0; // no ADC: the charge goes to a comparator or on
  double gMinRatio = 0;
  for (const hal::ArrayKind &kind : target.arrays)
    if (kind.cellTech == tile.cellTech && kind.gMaxUs > 0)
      gMinRatio = kind.gMinUs / kind.gMaxUs;
  CellProgrammer programmer(options, gMinRatio, tile.id, t.report);
  const size_t n = size_t(t.rows) * size_t(t.cols);
  std::vector<double> pos(n), neg(n);
  for (size_t i = 0; i < n; ++i) {
    // A bridge is binary: each side fully on or off.
    pos[i] = tile.gPos[i] > 0.5f ? 1.0 : 0.0;
    neg[i] = tile.gNeg[i] > 0.5f ? 1.0 : 0.0;
  }
  if (CellProgrammer::active(m, options.driftTime)) {
    programmer.setSpares(tile.spareRows, tile.spareCols);
    programmer.writePlane(pos, &neg, t.rows, t.cols, 0, 1.0,
                          /*columnIrDrop=*/false);
    programmer.remapFaultyLines(t.scales);
  }
  if (read) {
    read->gPos.emplace_back(pos.begin(), pos.end());
    read->gNeg.emplace_back(neg.begin(), neg.end());
  }
  std::vector<double> ir = programmer.bridgeIrFactors(pos, neg, t.rows, t.cols);
  const double on = programmer.physical(1), off = programmer.physical(0);
  const double nominal = (on - off) / (on + off);
  // Calibration: verify reads each pair back; a bridge that reads less
  // than half its designed swing (a cell stuck in its partner's state) is
  // broken, and the driver adds the charge it misses on average, the
  // row's mean input times (designed - read) ratio, to the column.
  const bool compensate =
      options.calibrate && tile.inputMeans.size() == size_t(t.rows);
  if (compensate)
    t.brokenCharge.assign(size_t(t.cols), 0.0);
  NoiseStream caps(options.seed, kBridgeCap);
  Plane plane;
  plane.w.resize(n);
  for (size_t i = 0; i < n; ++i) {
    double gp = programmer.physical(pos[i]), gn = programmer.physical(neg[i]);
    double ratio = gp + gn > 0 ? (gp - gn) / (gp + gn) / nominal : 0.0;
    double cap = 1.0;
    if (m.bridge_cap_sigma() > 0)
      cap += m.bridge_cap_sigma() *
             caps.gaussian(combineKey(combineKey(0, tile.id), i));
    plane.w[i] = float(ratio * cap * ir[i]);
    double w = double(tile.gPos[i] > 0.5f) - double(tile.gNeg[i] > 0.5f);
    if (compensate && w != 0 && ratio * w < 0.5)
      t.brokenCharge[i % size_t(t.cols)] +=
          double(tile.inputMeans[i / size_t(t.cols)]) * (w - ratio);
  }
  plane.mid.assign(size_t(t.cols), 0.0);
  plane.half.assign(size_t(t.cols), 1.0);
  t.planes.push_back(std::move(plane));
  if (!t.neurons.empty()) {
    double fanIn = double(std::max<uint32_t>(tile.fanIn, uint32_t(t.rows)));
    t.comparatorNoise = m.comparator_noise_sigma() * fanIn;
    t.comparatorOffsetSigma = m.comparator_offset_sigma() * fanIn;
    if (m.comparator_offset_sigma() > 0) {
      NoiseStream offsets(options.seed, kComparatorOffset);
      for (int64_t c = 0; c < t.cols; ++c)
        t.comparatorOffset.push_back(
            m.comparator_offset_sigma() * fanIn *
            offsets.gaussian(combineKey(combineKey(0, tile.id), uint64_t(c))));
    }
  }
  return Status::ok();
}

/// The quantised (and, with a noise model, programmed) planes of a tile.
Status programQuantized(SimTile &t, const hal::TileImage &tile,
                        const hal::MacroConfig &target,
                        const SimOptions &options,
                        TileConductances *read) {
  const artifact::NoiseModel &m = options.noise;
  setDac(t, target);
  t.adcLevels = signedLevels(target.adcBits);
  t.adcSign = target.adcBits == 1 || target.adcKind == hal::AdcKind::Sign;
  if (tile.analog) {
    // Analog rows and columns: no DAC, no ADC (read noise still applies).
    t.analog = true;
    t.dacLevels = t.inputLevels = 0;
    t.dacSign = t.adcSign = false;
    t.inputPasses = 1;
    t.adcLevels = 0;
  }
  if (tile.lifColumns) {
    // The columns feed LIF neurons: the DAC drives the rows, no ADC reads
    // the columns (read noise still applies; the slices merge by weight).
    t.adcSign = false;
    t.adcLevels = 0;
  }
  const double adcRange = m.adc_range() > 0 ? m.adc_range() : 1.0;

  // Analog (RRAM) cells carry the device non-idealities; their
  // conductance range sets G_min / G_max.
  bool analog = tile.cellTech == hal::CellTech::Rram ||
                tile.cellTech == hal::CellTech::Unspecified;
  double gMinRatio = 0, gMinUs = 0, gMaxUs = 0;
  for (const hal::ArrayKind &kind : target.arrays)
    if (kind.cellTech == tile.cellTech && kind.gMaxUs > 0) {
      gMinRatio = kind.gMinUs / kind.gMaxUs;
      gMinUs = kind.gMinUs;
      gMaxUs = kind.gMaxUs;
    }
  bool noisyCells = analog && CellProgrammer::active(m, options.driftTime);
  if (analog)
    t.readSigma = m.read_sigma() / (1 - gMinRatio);
  CellProgrammer programmer(options, gMinRatio, tile.id, t.report);

  uint32_t bits = tile.bitsPerCell ? tile.bitsPerCell : target.bitsPerCell;
  bool offset = tile.encoding == hal::WeightEncoding::Offset;
  size_t n = size_t(t.rows) * size_t(t.cols);
  // The cell targets, one plane per slice (the macro model's, as the
  // compiler computed the ADC windows from): the compiler's codes when the
  // tile has them, else each weight's nearest.
  macro::CellPlanes cells =
      macro::codedCellPlanes(tile.gPos.data(), tile.gNeg.data(), tile.codes,
                             n, bits, tile.weightBits, offset);
  const double digits = cells.digits;
  t.offsetReference = offset && cells.sliced;
  if (tile.adcWindows.size() != cells.size() * size_t(t.cols))
    return makeError(Code::InvalidArgument, "tile ", tile.id, ": has ",
                     tile.adcWindows.size(), " ADC windows for ", cells.size(),
                     " slices of ", t.cols, " columns");

  if (t.ramp && noisyCells)
    programRampColumn(t, *tile.ramp, {gMinUs, gMaxUs}, programmer);

  // Every plane's cells, then the remap of faulty lines onto the spares
  // (a row holds the cells of all planes), then the IR drop of the
  // layout as remapped.
  if (noisyCells) {
    programmer.setSpares(tile.spareRows, tile.spareCols);
    for (size_t p = 0; p < cells.size(); ++p)
      programmer.writePlane(cells.pos[p], offset ? nullptr : &cells.neg[p],
                            t.rows, t.cols, p, cells.shifts[p],
                            /*columnIrDrop=*/true);
    programmer.remapFaultyLines(t.scales);
  }
  NoiseStream adcOffsets(options.seed, kAdcOffset);
  for (size_t p = 0; p < cells.size(); ++p) {
    std::vector<double> &pos = cells.pos[p];
    std::vector<double> *neg = offset ? nullptr : &cells.neg[p];
    if (noisyCells) {
      programmer.applyIrDrop(pos, t.rows, t.cols);
      if (neg)
        programmer.applyIrDrop(*neg, t.rows, t.cols);
    }
    if (read) {
      read->gPos.emplace_back(pos.begin(), pos.end());
      if (neg)
        read->gNeg.emplace_back(neg->begin(), neg->end());
    }
    Plane plane;
    plane.shift = cells.shifts[p];
    const bool folded = cells.folded();
    plane.noiseGain = offset ? (folded ? 2.0 : 1.0) : std::sqrt(2.0);
    // Noise-free quantised values are integer codes times 1/digits: the
    // GEMM on codes is exact while its sums stay below 2^24 (float) or
    // 2^53 (double).
    bool codes = !noisyCells && digits > 0;
    plane.unit = codes ? 1.0 / digits : 1.0;
    double inputCode = t.inputPasses > 1 ? t.dacLevels
                       : t.dacSign       ? 1.0
                                         : std::max(t.dacLevels, 1.0);
    double bound = double(t.rows) * inputCode * (folded ? 2 : 1) * digits;
    bool useDouble = codes && (t.dacLevels == 0 || bound >= 0x1.0p24);
    if (useDouble)
      plane.wd.resize(n);
    else
      plane.w.resize(n);
    for (size_t i = 0; i < n; ++i) {
      double v = cells.value(pos[i], neg ? (*neg)[i] : 0.0);
      double stored = codes ? std::round(v * digits) : v;
      if (useDouble)
        plane.wd[i] = stored;
      else
        plane.w[i] = float(stored);
    }
    if (analog && m.read_sigma_rel() > 0) {
      // Each cell's read sigma is read_sigma_rel times its own conductance
      // (of G_max), in normalised units (of G_max - G_min); a folded
      // offset cell counts twice in its weight (2 g - 1).
      auto variance = [&](double g) {
        return macro::proportionalReadVariance(m.read_sigma_rel(), g,
                                               gMinRatio);
      };
      std::vector<float> readVar(n);
      for (size_t i = 0; i < n; ++i)
        readVar[i] = float(neg ? variance(pos[i]) + variance((*neg)[i])
                               : variance(pos[i]) * (folded ? 4.0 : 1.0));
      plane.readVar = packVariances(readVar.data(), t.rows, t.cols);
    }
    // The compiler's ADC window of each column, widened by adc_range.
    plane.mid.resize(size_t(t.cols));
    plane.half.resize(size_t(t.cols));
    for (int64_t col = 0; col < t.cols; ++col) {
      const macro::AdcWindow &w = tile.adcWindows[p * size_t(t.cols) + col];
      plane.mid[size_t(col)] = w.mid();
      plane.half[size_t(col)] = w.half() * adcRange;
    }
    if (t.adcLevels > 0)
      for (double half : plane.half) {
        plane.toCode.push_back(t.adcLevels / half);
        plane.fromCode.push_back(half / t.adcLevels * plane.shift);
      }
    if (m.adc_offset_lsb() != 0 || m.adc_offset_sigma_lsb() != 0) {
      plane.adcOffset.resize(size_t(t.cols));
      for (int64_t col = 0; col < t.cols; ++col)
        plane.adcOffset[size_t(col)] =
            m.adc_offset_lsb() +
            m.adc_offset_sigma_lsb() *
                adcOffsets.gaussian(combineKey(
                    combineKey(combineKey(0, tile.id), p), uint64_t(col)));
    }
    t.planes.push_back(std::move(plane));
  }
  return Status::ok();
}

} // namespace

StatusOr<std::shared_ptr<SimTile>>
programSimTile(const hal::TileImage &tile, const hal::MacroConfig &target,
               SimMode mode, const SimOptions &options,
               TileConductances *read) {
  auto t = std::make_shared<SimTile>();
  t->id = tile.id;
  t->rows = tile.rows;
  t->cols = tile.cols;
  size_t n = size_t(t->rows) * size_t(t->cols);
  if (t->rows <= 0 || t->cols <= 0 || tile.gPos.size() != n ||
      tile.gNeg.size() != n)
    return makeError(Code::InvalidArgument, "tile ", tile.id,
                     ": g_pos/g_neg do not hold rows*cols values");
  if (!tile.codes.empty() && tile.codes.size() != n)
    return makeError(Code::InvalidArgument, "tile ", tile.id,
                     ": codes do not hold rows*cols values");
  if (tile.scales.size() != size_t(t->cols))
    return makeError(Code::InvalidArgument, "tile ", tile.id,
                     ": scales do not hold one value per column");
  t->scales.assign(tile.scales.begin(), tile.scales.end());
  t->costs = tileCosts(tile, target);
  t->report.tileId = tile.id;
  if (tile.ramp) {
    const hal::RampImage &r = *tile.ramp;
    if (r.steps.empty() || r.levels.size() != r.thresholds.size() + 1)
      return makeError(Code::InvalidArgument, "tile ", tile.id,
                       ": a ramp readout needs steps and one more level "
                       "than thresholds");
    t->activation = macro::RampFunction(r.steps);
    t->ramp = true;
    t->rampAdc.thresholds = r.thresholds;
    t->rampAdc.levels = r.levels;
  }
  if (tile.bridge) {
    if (!tile.neurons.empty() && tile.neurons.size() != size_t(t->cols))
      return makeError(Code::InvalidArgument, "tile ", tile.id,
                       ": binary neurons do not hold one per column");
    t->bridge = true;
    t->neurons = tile.neurons;
  }
  t->lifColumns = tile.lifColumns;
  if (tile.lifColumns && (tile.bridge || tile.analog || tile.ramp))
    return makeError(Code::InvalidArgument, "tile ", tile.id,
                     ": LIF columns cannot also be bridges, analog or ramp "
                     "readouts");
  if (read) {
    *read = TileConductances();
    read->rows = uint32_t(t->rows);
    read->cols = uint32_t(t->cols);
    for (const hal::ArrayKind &kind : target.arrays)
      if (kind.cellTech == tile.cellTech && kind.gMaxUs > 0) {
        read->gMinUs = kind.gMinUs;
        read->gMaxUs = kind.gMaxUs;
      }
  }
  if (mode == SimMode::Ideal)
    programIdeal(*t, tile, read);
  else if (tile.bridge)
    CIM_TRY(programBridge(*t, tile, target, options, read));
  else
    CIM_TRY(programQuantized(*t, tile, target, options, read));
  return t;
}

} // namespace cim::rt::sim
