//===- SimProgramming.cpp - Programming the simulator's tiles ---*- C++ -*-===//
//
// Turns a tile image into the simulator's planes. Ideal mode keeps one
// plane of exact weights. Quantised mode quantises conductances to the
// cell's levels (or slices each weight's code over several cells), sets up
// the converters from the target (DAC levels, bit-serial input passes, ADC
// levels or a sign comparator or a ramp), and, with a noise model, programs
// the cells as a chip would (CellProgrammer: stuck cells, programming
// variation with program-and-verify, drift, IR drop) and draws each
// column's ADC offset. All draws are keyed by tile, plane and cell, so one
// seed gives the same tile whatever else the device holds.
//
//===----------------------------------------------------------------------===//

#include "cim/Macro/Conductance.h"
#include "cim/Macro/Rounding.h"
#include "cim/Macro/Slicing.h"
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
/// variation with program-and-verify, drift, then IR drop along each
/// column. Cells are normalised conductances g in [0, 1] of G_min..G_max.
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

  /// Programs plane `p` (rows x cols, row-major) of cell targets in place.
  /// A ramp column (`ramp`) differs: verify replaces a cell it finds stuck
  /// with a working spare, and its cells are read one at a time, so no
  /// IR drop.
  void program(std::vector<double> &cells, int64_t rows, int64_t cols,
               uint64_t p, bool ramp = false) {
    if (!ramp)
      precompensate(cells, rows, cols);
    for (size_t i = 0; i < cells.size(); ++i) {
      uint64_t key = combineKey(combineKey(tileKey_, p), i);
      cells[i] = ramp ? write(cells[i], key) : cell(cells[i], key);
    }
    if (m_.ir_drop() > 0 && !ramp)
      irDrop(cells, rows, cols);
  }

  /// Programs the g+ and g- planes of differential pairs. With
  /// `stuck_compensation`, a pair with one stuck cell (found by the
  /// verify step) reprograms its partner to keep g+ - g- where the range
  /// allows.
  void programPairs(std::vector<double> &pos, std::vector<double> &neg,
                    int64_t rows, int64_t cols, uint64_t p,
                    bool columnIrDrop = true) {
    uint64_t kp = combineKey(tileKey_, 2 * p),
             kn = combineKey(tileKey_, 2 * p + 1);
    if (columnIrDrop) {
      precompensate(pos, rows, cols);
      precompensate(neg, rows, cols);
    }
    for (size_t i = 0; i < pos.size(); ++i) {
      uint64_t keyP = combineKey(kp, i), keyN = combineKey(kn, i);
      std::optional<double> sp = stuckValue(keyP), sn = stuckValue(keyN);
      double w = pos[i] - neg[i];
      if (m_.stuck_compensation() && sp && !sn)
        neg[i] = std::clamp(*sp - w, 0.0, 1.0);
      if (m_.stuck_compensation() && sn && !sp)
        pos[i] = std::clamp(*sn + w, 0.0, 1.0);
      pos[i] = sp ? countStuck(*sp) : write(pos[i], keyP);
      neg[i] = sn ? countStuck(*sn) : write(neg[i], keyN);
    }
    if (m_.ir_drop() > 0 && columnIrDrop) {
      irDrop(pos, rows, cols);
      irDrop(neg, rows, cols);
    }
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

  double cell(double g, uint64_t key) {
    if (std::optional<double> stuck = stuckValue(key))
      return countStuck(*stuck);
    return write(g, key);
  }

  /// Programs one working cell: variation, verify, drift.
  double write(double g, uint64_t key) {
    ++report_.cells;
    double target = physical(g);
    double sigma = m_.prog_sigma_rel() * target + m_.prog_sigma_abs();
    double G = target;
    uint32_t limit = m_.verify_tolerance() > 0 ? m_.verify_max_iterations() : 1;
    for (uint32_t it = 0; it < limit; ++it) {
      G = target + sigma * program_.gaussian(combineKey(key, it));
      ++report_.writes;
      if (m_.verify_tolerance() == 0 ||
          std::fabs(G - target) <= m_.verify_tolerance())
        break;
      if (it + 1 == limit)
        ++report_.verifyFailures;
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
  programmer.program(cells, int64_t(cells.size()), 1, kRampColumnPlane,
                     /*ramp=*/true);
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
  if (CellProgrammer::active(m, options.driftTime))
    programmer.programPairs(pos, neg, t.rows, t.cols, 0,
                            /*columnIrDrop=*/false);
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

  NoiseStream adcOffsets(options.seed, kAdcOffset);
  for (size_t p = 0; p < cells.size(); ++p) {
    std::vector<double> &pos = cells.pos[p];
    std::vector<double> *neg = offset ? nullptr : &cells.neg[p];
    if (noisyCells) {
      if (offset)
        programmer.program(pos, t.rows, t.cols, 2 * p);
      else
        programmer.programPairs(pos, *neg, t.rows, t.cols, p);
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
