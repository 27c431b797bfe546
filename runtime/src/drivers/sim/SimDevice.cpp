//===- SimDevice.cpp - The CIM array simulator ------------------*- C++ -*-===//
//
// The "sim" driver: a device that keeps programmed tiles in host memory and
// computes matrix-vector products on the CPU. Two modes:
//
//  - sim://ideal (also sim://): y = x * W with W = scale * (g_pos - g_neg);
//    equals float math up to rounding.
//  - sim://quantized: the analog signal chain of the target: inputs scaled
//    by their max and quantised by the DAC (bit-serially where the target
//    says), conductances quantised to the cell's levels (bit-sliced where
//    the target says), column sums converted by the ADC, and the result
//    scaled back. With a noise model (`?noise=PRESET|FILE`), device and
//    circuit non-idealities on top: programming variation with optional
//    program-and-verify, stuck cells, drift and IR drop (static: folded into
//    the effective weights when a tile is programmed), and read noise and
//    ADC offsets (per MVM). docs/Simulator.md gives the formulas.
//
// A tile is a list of planes (one per weight slice), each a rows x cols
// matrix of effective cell values; an MVM is one GEMM per plane and input
// pass (OpenBLAS), then per-element read noise, conversion and shift-add.
// Noise-free quantised planes hold integer codes, so the GEMM is exact.
// Work is split over batch rows on `threads` threads; random numbers are
// counter-based, so one seed gives bit-identical results on any number of
// threads.
//
//===----------------------------------------------------------------------===//

#include "Hal.h"
#include "Noise.h"
#include "ThreadPool.h"
#include "cim/Macro/Readout.h"
#include "cim/Macro/Slicing.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace cim::rt {

using namespace cim::macro;
namespace {

enum class SimMode { Ideal, Quantized };

/// Options of a simulator device (its URI's query).
struct SimOptions {
  artifact::NoiseModel noise;
  uint64_t seed = 0;
  double driftTime = 0; // seconds since programming; 0: none
  unsigned threads = 1;
};

/// The cost figures of one tile's array (pJ, ns).
struct TileCosts {
  double mac = 0, dac = 0, adc = 0, digital = 0, write = 0;
  double mvmNs = 0, digitalNs = 0;
  unsigned lanes = 1;
};

/// One slice of a tile: a rows x cols matrix of effective cell values.
struct Plane {
  std::vector<float> w;   // float path
  std::vector<double> wd; // double path (exact codes beyond float's range)
  double unit = 1;        // normalised cell value = w * unit
  double shift = 1;       // weight of this plane in the shift-add
  double fullScale = 1;   // the ADC's full scale (normalised units)
  double noiseGain = 1;   // read-noise sigma per unit of cell sigma and |x|
  std::vector<double> adcOffset; // per column, LSB
};

/// A programmed tile, immutable after programming except for its MVM
/// sequence number (which keys the read noise).
struct SimTile {
  uint32_t id = 0;
  int64_t rows = 0, cols = 0;
  double scale = 1;
  std::vector<Plane> planes;
  bool offsetReference = false; // subtract the mid-conductance reference
  // DAC: none (ideal), sign, or 2 L + 1 levels; bit-serial passes.
  bool quantized = false, dacSign = false;
  bool analog = false; // no converters (analog ODE schedule)
  // A ramp ADC with a fused activation (model units); exact in ideal mode.
  bool ramp = false;
  RampADC rampAdc;
  RampFunction activation;
  double dacLevels = 0, inputLevels = 0;
  int inputPasses = 1;
  // ADC.
  bool adcSign = false;
  double adcLevels = 0, adcRange = 1;
  double readSigma = 0; // per cell, normalised conductance units
  TileCosts costs;
  TileReport report;
  mutable std::atomic<uint64_t> sequence{0};
};

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
      : m_(options.noise), driftTime_(options.driftTime),
        gMin_(gMinRatio), span_(1 - gMinRatio), report_(report),
        stuck_(options.seed, kStuck), program_(options.seed, kProgram),
        drift_(options.seed, kDrift), tileKey_(combineKey(0, tileId)) {}

  /// True if programming changes any cell.
  static bool active(const artifact::NoiseModel &m, double driftTime) {
    return m.prog_sigma_rel() > 0 || m.prog_sigma_abs() > 0 ||
           m.stuck_on_rate() > 0 || m.stuck_off_rate() > 0 ||
           m.ir_drop() > 0 || (driftTime > 0 && m.drift_nu() > 0);
  }

  /// Programs plane `p` (rows x cols, row-major) of cell targets in place.
  /// A ramp column (`ramp`) differs: verify replaces a cell it finds stuck
  /// with a working spare, and its cells are read one at a time, so no
  /// IR drop.
  void program(std::vector<double> &cells, int64_t rows, int64_t cols,
               uint64_t p, bool ramp = false) {
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
                    int64_t rows, int64_t cols, uint64_t p) {
    uint64_t kp = combineKey(tileKey_, 2 * p), kn = combineKey(tileKey_, 2 * p + 1);
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
    if (m_.ir_drop() > 0) {
      irDrop(pos, rows, cols);
      irDrop(neg, rows, cols);
    }
  }

private:
  /// Conductance in units of G_max.
  double physical(double g) const { return gMin_ + g * span_; }
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
      double nu = std::max(
          0.0, m_.drift_nu() + m_.drift_nu_sigma() * drift_.gaussian(key));
      if (driftTime_ > t0)
        G *= std::pow(driftTime_ / t0, -nu);
    }
    return normalised(G);
  }

  /// First-order IR drop: the cell j segments from the column's sense end
  /// (the last row is next to it) sees its input attenuated by
  /// 1 - ir_drop * Gbar * (j N - j (j - 1) / 2), Gbar the column's mean
  /// conductance in units of G_max, N its rows.
  void irDrop(std::vector<double> &cells, int64_t rows, int64_t cols) {
    double n = double(rows);
    for (int64_t c = 0; c < cols; ++c) {
      double mean = 0;
      for (int64_t r = 0; r < rows; ++r)
        mean += physical(cells[size_t(r * cols + c)]);
      mean /= n;
      for (int64_t r = 0; r < rows; ++r) {
        double j = double(rows - r);
        double factor = std::max(
            0.0, 1 - m_.ir_drop() * mean * (j * n - j * (j - 1) / 2));
        double &g = cells[size_t(r * cols + c)];
        g = normalised(physical(g) * factor);
      }
    }
  }

  const artifact::NoiseModel &m_;
  double driftTime_, gMin_, span_;
  TileReport &report_;
  NoiseStream stuck_, program_, drift_;
  uint64_t tileKey_;
};

class SimDevice final : public Device {
public:
  SimDevice(std::string uri, SimMode mode, SimOptions options)
      : uri_(std::move(uri)), mode_(mode), options_(std::move(options)),
        pool_(options_.threads) {}

  const std::string &uri() const override { return uri_; }

  StatusOr<TileHandle> programTile(const artifact::Tile &tile,
                                   const artifact::Target &target) override {
    auto t = std::make_shared<SimTile>();
    t->id = tile.id();
    t->rows = tile.rows();
    t->cols = tile.cols();
    size_t n = size_t(t->rows) * size_t(t->cols);
    if (t->rows <= 0 || t->cols <= 0 || size_t(tile.g_pos_size()) != n ||
        size_t(tile.g_neg_size()) != n)
      return makeError(Code::InvalidArgument, "tile ", tile.id(),
                       ": g_pos/g_neg do not hold rows*cols values");
    t->scale = tile.scale();
    t->costs = costsFor(tile, target);
    t->report.tileId = tile.id();
    if (tile.has_ramp()) {
      const artifact::RampReadout &r = tile.ramp();
      if (!t->activation.parse(r.function()) ||
          r.levels_size() != r.thresholds_size() + 1)
        return makeError(Code::Unimplemented, "tile ", tile.id(),
                         ": unsupported ramp readout '", r.function(), "'");
      t->ramp = true;
      t->rampAdc.thresholds.assign(r.thresholds().begin(), r.thresholds().end());
      t->rampAdc.levels.assign(r.levels().begin(), r.levels().end());
    }
    if (mode_ == SimMode::Ideal)
      programIdeal(*t, tile);
    else
      programQuantized(*t, tile, target);
    uint64_t writes = t->report.writes;
    std::lock_guard<std::mutex> lock(mutex_);
    TileHandle handle = nextHandle_++;
    counters_.programWrites += writes;
    counters_.energyPj["write"] += double(writes) * t->costs.write;
    reports_.push_back(t->report);
    tiles_.emplace(handle, std::move(t));
    return handle;
  }

  void releaseTile(TileHandle handle) override {
    std::lock_guard<std::mutex> lock(mutex_);
    tiles_.erase(handle);
  }

  Status mvm(TileHandle handle, const float *x, int64_t batch,
             float *y) override {
    std::shared_ptr<const SimTile> tile;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = tiles_.find(handle);
      if (it == tiles_.end())
        return makeError(Code::FailedPrecondition, uri_, ": tile handle ",
                         handle, " is not programmed");
      tile = it->second;
    }
    if (batch < 0)
      return makeError(Code::InvalidArgument, uri_, ": negative batch ", batch);
    uint64_t sequence = tile->sequence++;
    if (batch > 0) {
      if (mode_ == SimMode::Ideal)
        ideal(*tile, x, batch, y);
      else
        quantized(*tile, x, batch, y, sequence);
    }
    count(*tile, batch);
    return Status::ok();
  }

  bool modelsConverters() const override {
    return mode_ == SimMode::Quantized;
  }

  uint64_t nextNoiseKey() override {
    if (mode_ != SimMode::Quantized)
      return 0;
    return combineKey(combineKey(mixBits(options_.seed), kIntegrator),
                      noiseKeys_++);
  }

  DeviceStats stats() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    DeviceStats s = counters_;
    s.tilesProgrammed = tiles_.size();
    s.tiles = reports_;
    return s;
  }

private:
  static TileCosts costsFor(const artifact::Tile &tile,
                            const artifact::Target &target) {
    std::string cell = tile.cell_tech() == artifact::ROM    ? "rom"
                       : tile.cell_tech() == artifact::SRAM ? "sram"
                                                            : "rram";
    auto get = [&](const std::string &key) {
      auto it = target.costs().find(key + "." + cell);
      if (it != target.costs().end())
        return it->second;
      it = target.costs().find(key);
      return it == target.costs().end() ? 0.0 : it->second;
    };
    TileCosts c;
    c.mac = get("mac_pj");
    c.dac = get("dac_pj");
    c.adc = get("adc_pj");
    c.digital = get("digital_op_pj");
    c.write = get("write_pj");
    c.mvmNs = get("mvm_ns");
    c.digitalNs = get("digital_op_ns");
    c.lanes = std::max(1u, target.digital_lanes());
    return c;
  }

  /// Accumulates the run's counters and their energy and latency.
  void count(const SimTile &t, int64_t batch) {
    uint64_t b = uint64_t(batch), planes = t.planes.size(),
             passes = uint64_t(t.inputPasses);
    uint64_t macs = b * uint64_t(t.rows * t.cols) * planes * passes;
    uint64_t dac = t.analog ? 0 : b * uint64_t(t.rows) * passes;
    uint64_t adc = t.analog ? 0 : b * uint64_t(t.cols) * planes * passes;
    uint64_t digital = b * uint64_t(t.cols) * (planes * passes - 1);
    std::lock_guard<std::mutex> lock(mutex_);
    counters_.mvmCount += b;
    ++counters_.mvmCalls;
    counters_.macs += macs;
    counters_.dacConversions += dac;
    counters_.adcConversions += adc;
    counters_.digitalOps += digital;
    counters_.energyPj["mac"] += double(macs) * t.costs.mac;
    counters_.energyPj["dac"] += double(dac) * t.costs.dac;
    counters_.energyPj["adc"] += double(adc) * t.costs.adc;
    counters_.energyPj["digital"] += double(digital) * t.costs.digital;
    counters_.latencyNs +=
        double(b * passes) * t.costs.mvmNs +
        double((digital + t.costs.lanes - 1) / t.costs.lanes) * t.costs.digitalNs;
  }

  static void programIdeal(SimTile &t, const artifact::Tile &tile) {
    Plane plane;
    size_t n = size_t(t.rows) * size_t(t.cols);
    plane.w.resize(n);
    for (size_t i = 0; i < n; ++i)
      plane.w[i] = float(t.scale * (double(tile.g_pos(int(i))) -
                                    double(tile.g_neg(int(i)))));
    t.planes.push_back(std::move(plane));
  }

  /// The ramp column of a fused readout: one cell per step between
  /// thresholds (the largest step at G_max), programmed like the weights
  /// (variation, verify, drift; analog-tuned, not quantised to cell
  /// levels). A stuck cell would shift every later threshold by up to the
  /// largest step, so verify replaces it with a spare cell; the ramp reads
  /// its cells one at a time, so there is no IR drop. The realised thresholds are the running
  /// sums of the programmed steps from the ramp's start `lo`.
  static void programRampColumn(SimTile &t, double lo,
                                CellProgrammer &programmer) {
    std::vector<double> &thresholds = t.rampAdc.thresholds;
    std::vector<double> cells(thresholds.size());
    double prev = lo, largest = 0;
    for (size_t k = 0; k < thresholds.size(); ++k) {
      cells[k] = thresholds[k] - prev;
      prev = thresholds[k];
      largest = std::max(largest, cells[k]);
    }
    if (!(largest > 0))
      return;
    for (double &c : cells)
      c = std::max(0.0, c) / largest;
    programmer.program(cells, int64_t(cells.size()), 1, kRampColumnPlane,
                       /*ramp=*/true);
    double at = lo;
    for (size_t k = 0; k < thresholds.size(); ++k) {
      at += std::max(0.0, cells[k]) * largest;
      thresholds[k] = at;
    }
  }

  /// The quantised (and, with a noise model, programmed) planes of a tile.
  void programQuantized(SimTile &t, const artifact::Tile &tile,
                        const artifact::Target &target) const {
    const artifact::NoiseModel &m = options_.noise;
    t.quantized = true;
    t.dacLevels = signedLevels(target.dac_bits());
    t.dacSign = target.dac_bits() == 1;
    t.inputPasses = int(inputPasses(target.input_bits(), target.dac_bits()));
    if (t.inputPasses > 1)
      t.inputLevels = signedLevels(target.input_bits());
    t.adcLevels = signedLevels(target.adc_bits());
    t.adcSign = target.adc_bits() == 1 ||
                target.adc_kind() == artifact::ADC_KIND_SIGN;
    if (tile.analog()) {
      // Analog rows and columns: no DAC, no ADC (read noise still applies).
      t.analog = true;
      t.dacLevels = t.inputLevels = 0;
      t.dacSign = t.adcSign = false;
      t.inputPasses = 1;
      t.adcLevels = 0;
    }
    t.adcRange = m.adc_range() > 0 ? m.adc_range() : 1.0;

    // Analog (RRAM) cells carry the device non-idealities; their
    // conductance range sets G_min / G_max.
    bool analog = tile.cell_tech() == artifact::RRAM ||
                  tile.cell_tech() == artifact::CELL_TECH_UNSPECIFIED;
    double gMinRatio = 0;
    for (const artifact::ArrayKind &kind : target.arrays())
      if (kind.cell_tech() == tile.cell_tech() && kind.g_max_us() > 0)
        gMinRatio = kind.g_min_us() / kind.g_max_us();
    bool noisyCells = analog && CellProgrammer::active(m, options_.driftTime);
    if (analog)
      t.readSigma = m.read_sigma() / (1 - gMinRatio);
    CellProgrammer programmer(options_, gMinRatio, tile.id(), t.report);

    uint32_t bits = tile.bits_per_cell() ? tile.bits_per_cell()
                                         : target.bits_per_cell();
    bool offset = tile.encoding() == artifact::OFFSET;
    size_t n = size_t(t.rows) * size_t(t.cols);
    // Physical cell targets per plane: for a differential weight a g+ and
    // a g- cell, for an offset weight one cell. `digits` is the number of
    // cell levels - 1 (0: unquantised).
    struct Cells {
      std::vector<double> pos, neg;
    };
    std::vector<Cells> cells;
    std::vector<double> shifts;
    double digits;
    bool sliced = tile.weight_bits() > bits && bits > 0;
    if (sliced) {
      // Each weight's code in base 2^bits digits, one plane per slice (most
      // significant last). A differential weight slices its magnitude and
      // keeps its sign in every slice; an offset weight slices its offset
      // code g = 0.5 + w / 2.
      uint32_t wbits = tile.weight_bits();
      int slices = int((wbits + bits - 1) / bits);
      double levels = std::ldexp(1.0, int(wbits)) - 1;
      uint64_t base = uint64_t(1) << bits;
      digits = double(base - 1);
      cells.resize(slices);
      for (Cells &c : cells) {
        c.pos.assign(n, 0.0);
        if (!offset)
          c.neg.assign(n, 0.0);
      }
      for (size_t i = 0; i < n; ++i) {
        double wn = double(tile.g_pos(int(i))) - double(tile.g_neg(int(i)));
        uint64_t code = uint64_t(std::llround(
            (offset ? 0.5 + 0.5 * wn : std::fabs(wn)) * levels));
        for (int sl = 0; sl < slices; ++sl) {
          double d = double((code >> (uint64_t(bits) * sl)) & (base - 1));
          (offset || wn >= 0 ? cells[sl].pos : cells[sl].neg)[i] = d / digits;
        }
      }
      for (int sl = 0; sl < slices; ++sl)
        shifts.push_back(digits * std::ldexp(1.0, int(bits) * sl) / levels);
      t.offsetReference = offset;
    } else {
      digits = bits == 0 ? 0.0 : std::ldexp(1.0, int(bits)) - 1;
      auto quantise = [&](double g) {
        return digits == 0 ? g : std::round(g * digits) / digits;
      };
      cells.resize(1);
      cells[0].pos.resize(n);
      if (!offset)
        cells[0].neg.resize(n);
      for (size_t i = 0; i < n; ++i) {
        double gp = tile.g_pos(int(i)), gn = tile.g_neg(int(i));
        if (offset) {
          cells[0].pos[i] = quantise(0.5 + 0.5 * (gp - gn));
        } else {
          cells[0].pos[i] = quantise(gp);
          cells[0].neg[i] = quantise(gn);
        }
      }
      shifts.push_back(1.0);
    }

    if (t.ramp && noisyCells)
      programRampColumn(t, tile.ramp().lo(), programmer);

    NoiseStream adcOffsets(options_.seed, kAdcOffset);
    for (size_t p = 0; p < cells.size(); ++p) {
      Cells &c = cells[p];
      if (noisyCells) {
        if (offset)
          programmer.program(c.pos, t.rows, t.cols, 2 * p);
        else
          programmer.programPairs(c.pos, c.neg, t.rows, t.cols, p);
      }
      Plane plane;
      plane.shift = shifts[p];
      // An unsliced offset weight is 2 g - 1 against an exact reference at
      // g = 1/2; a sliced one keeps its digits and the reference is
      // subtracted after the shift-add.
      bool folded = offset && !sliced;
      auto value = [&](size_t i) {
        return offset ? (folded ? 2 * c.pos[i] - 1 : c.pos[i])
                      : c.pos[i] - c.neg[i];
      };
      plane.noiseGain = offset ? (folded ? 2.0 : 1.0) : std::sqrt(2.0);
      // Noise-free quantised values are integer codes times 1/digits: the
      // GEMM on codes is exact while its sums stay below 2^24 (float) or
      // 2^53 (double).
      bool codes = !noisyCells && digits > 0;
      plane.unit = codes ? 1.0 / digits : 1.0;
      double inputCode = t.inputPasses > 1 ? t.dacLevels
                         : t.dacSign      ? 1.0
                                          : std::max(t.dacLevels, 1.0);
      double bound = double(t.rows) * inputCode * (folded ? 2 : 1) * digits;
      bool useDouble = codes && (t.dacLevels == 0 || bound >= 0x1.0p24);
      if (useDouble)
        plane.wd.resize(n);
      else
        plane.w.resize(n);
      double fullScale = 0;
      std::vector<double> column(size_t(t.cols), 0.0);
      for (size_t i = 0; i < n; ++i) {
        double v = value(i);
        double stored = codes ? std::round(v * digits) : v;
        if (useDouble)
          plane.wd[i] = stored;
        else
          plane.w[i] = float(stored);
        column[i % size_t(t.cols)] += std::fabs(v);
      }
      for (double s : column)
        fullScale = std::max(fullScale, s);
      // The ADC's full scale: the compiler's for an unsliced tile, else the
      // slice's largest column sum.
      plane.fullScale = sliced ? (fullScale > 0 ? fullScale : 1.0)
                               : tile.adc_full_scale();
      if (m.adc_offset_lsb() != 0 || m.adc_offset_sigma_lsb() != 0) {
        plane.adcOffset.resize(size_t(t.cols));
        for (int64_t col = 0; col < t.cols; ++col)
          plane.adcOffset[size_t(col)] =
              m.adc_offset_lsb() +
              m.adc_offset_sigma_lsb() *
                  adcOffsets.gaussian(combineKey(
                      combineKey(combineKey(0, tile.id()), p), uint64_t(col)));
      }
      t.planes.push_back(std::move(plane));
    }
  }

  /// Y (batch x cols) = X (batch x rows) * W in the plane's precision, on
  /// one OpenBLAS thread (the caller splits the batch over the pool).
  static void gemm(const SimTile &t, const Plane &plane, const double *x,
                   const float *xf, int64_t batch, double *y, float *yf) {
    const int k = int(t.rows), n = int(t.cols);
    if (!plane.wd.empty())
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(batch), n, k,
                  1.0, x, k, plane.wd.data(), n, 0.0, y, n);
    else
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(batch), n, k,
                  1.0f, xf, k, plane.w.data(), n, 0.0f, yf, n);
  }

  /// Batch rows per thread: enough that a part is worth a thread.
  static int64_t minRows(const SimTile &t) {
    return std::max<int64_t>(1, (int64_t(1) << 16) / (t.rows * t.cols));
  }

  void ideal(const SimTile &t, const float *x, int64_t batch, float *y) {
    pool_.run(batch, minRows(t), [&](int64_t b0, int64_t b1) {
      gemm(t, t.planes.front(), nullptr, x + b0 * t.rows, b1 - b0, nullptr,
           y + b0 * t.cols);
      if (t.ramp) // the fused activation, exact
        for (int64_t i = b0 * t.cols; i < b1 * t.cols; ++i)
          y[i] = float(t.activation(double(y[i])));
    });
  }

  /// Buffers of one part of a quantised MVM (batch rows `first` on).
  struct Work {
    int64_t first = 0;
    std::vector<double> s, norm, reference, xd, yd, passOut, total, analog,
        uniform;
    std::vector<float> normal;
    std::vector<float> xf, yf;
    std::vector<char> finite;
    std::vector<uint64_t> code;
    double unit = 1; // value of one input code
  };

  void quantized(const SimTile &t, const float *x, int64_t batch, float *y,
                 uint64_t sequence) {
    pool_.run(batch, minRows(t), [&](int64_t b0, int64_t b1) {
      quantizedRows(t, x + b0 * t.rows, b0, b1 - b0, y + b0 * t.cols,
                    sequence);
    });
  }

  /// Rows [first, first + batch) of a quantised MVM.
  void quantizedRows(const SimTile &t, const float *x, int64_t first,
                     int64_t batch, float *y, uint64_t sequence) const {
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
    w.yf.resize(out);
    // xd and yd only for planes of double codes (drivePass fills xd when
    // it is not empty).
    w.xd.resize(anyDouble ? in : 0);
    w.yd.resize(anyDouble ? out : 0);
    w.passOut.resize(out);
    w.total.assign(out, 0.0);
    if (t.inputPasses > 1)
      w.code.resize(in);
    // DAC: normalise each input vector by its largest magnitude; for
    // bit-serial inputs round it to input_bits.
    for (int64_t b = 0; b < batch; ++b) {
      const float *xb = x + b * rows;
      float largest = 0; // NaN fails every comparison: tracked apart
      bool finite = true;
      for (int64_t r = 0; r < rows; ++r) {
        float v = std::fabs(xb[r]);
        largest = v > largest ? v : largest;
        finite &= v <= std::numeric_limits<float>::max();
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
    for (int p = 0; p < t.inputPasses; ++p) {
      drivePass(t, x, base, 0, batch, w);
      std::fill(w.passOut.begin(), w.passOut.end(), 0.0);
      for (size_t pl = 0; pl < t.planes.size(); ++pl) {
        const Plane &plane = t.planes[pl];
        gemm(t, plane, w.xd.data(), w.xf.data(), batch, w.yd.data(),
             w.yf.data());
        convertRows(t, plane, pl, p, sequence, 0, batch, w);
      }
      for (int64_t b = 0; b < batch; ++b) {
        double reference = t.offsetReference ? w.reference[b] : 0.0;
        double factor = t.offsetReference ? 2.0 * passWeight : passWeight;
        const double *from = w.passOut.data() + b * cols;
        double *to = w.total.data() + b * cols;
        for (int64_t c = 0; c < cols; ++c)
          to[c] += (from[c] - reference) * factor;
      }
      passWeight *= base;
    }
    for (int64_t b = 0; b < batch; ++b) {
      // A ramp's levels are already outputs in model units.
      double factor = t.ramp ? 1.0 : w.s[b] * t.scale;
      const double *from = w.total.data() + b * cols;
      float *to = y + b * cols;
      if (!w.finite[b])
        std::fill(to, to + cols, std::numeric_limits<float>::quiet_NaN());
      else
        for (int64_t c = 0; c < cols; ++c)
          to[c] = float(from[c] * factor);
    }
  }

  /// The input codes of one pass (xd and xf, as the GEMM reads them), and
  /// each vector's norm and reference-column sum in normalised units.
  static void drivePass(const SimTile &t, const float *x, double base,
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
      // Four partial sums: the loop then runs at the adder's throughput,
      // not its latency (and in a fixed order, so results stay the same).
      double norm4[4] = {0, 0, 0, 0}, sum4[4] = {0, 0, 0, 0};
      int64_t r = 0;
      for (; r + 4 <= rows; r += 4)
        for (int k = 0; k < 4; ++k) {
          double c = codes[r + k];
          norm4[k] += c * c;
          sum4[k] += c;
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

  /// Read noise, conversion and shift-add of one plane's GEMM result,
  /// row by row in branch-free loops over the columns.
  void convertRows(const SimTile &t, const Plane &plane, size_t pl, int p,
                   uint64_t sequence, int64_t b0, int64_t b1, Work &w) const {
    const int64_t cols = t.cols;
    const double scale = w.unit * plane.unit;
    const double sigma = t.readSigma * plane.noiseGain;
    const double range = plane.fullScale * t.adcRange;
    const double levels = t.adcLevels, shift = plane.shift;
    const double toCode = levels / range, fromCode = range / levels * shift;
    const double *offsets =
        plane.adcOffset.empty() ? nullptr : plane.adcOffset.data();
    NoiseStream read(options_.seed, kRead);
    uint64_t callKey = combineKey(
        combineKey(combineKey(combineKey(0, t.id), sequence), uint64_t(p)), pl);
    w.analog.resize(size_t(cols));
    w.uniform.resize(size_t(cols));
    w.normal.resize(size_t(cols));
    double *a = w.analog.data();
    for (int64_t b = b0; b < b1; ++b) {
      double *out = w.passOut.data() + b * cols;
      if (!plane.wd.empty())
        for (int64_t c = 0; c < cols; ++c)
          a[c] = w.yd[size_t(b * cols + c)] * scale;
      else
        for (int64_t c = 0; c < cols; ++c)
          a[c] = double(w.yf[size_t(b * cols + c)]) * scale;
      if (double noise = sigma * w.norm[b]; noise > 0) {
        // Gaussians by the inverse CDF, in three loops: uniforms, the
        // centre's rational function for all (vectorised), the few tails.
        uint64_t rowKey = combineKey(callKey, uint64_t(w.first + b));
        double *u = w.uniform.data();
        float *z = w.normal.data();
        read.uniforms(rowKey, u, cols);
        for (int64_t c = 0; c < cols; ++c)
          z[c] = NoiseStream::inverseNormalCentreF(float(u[c]));
        for (int64_t c = 0; c < cols; ++c)
          if (NoiseStream::isTail(u[c]))
            z[c] = float(NoiseStream::inverseNormalTail(u[c]));
        for (int64_t c = 0; c < cols; ++c)
          a[c] += noise * double(z[c]);
      }
      if (t.ramp) {
        // The ramp compares the pre-activation in model units.
        double toModel = w.s[b] * t.scale;
        for (int64_t c = 0; c < cols; ++c)
          out[c] += t.rampAdc.convert(a[c] * toModel) * shift;
      } else if (t.adcSign) {
        for (int64_t c = 0; c < cols; ++c)
          out[c] += signCompare(a[c], range) * shift;
      } else if (levels == 0) {
        for (int64_t c = 0; c < cols; ++c)
          out[c] += a[c] * shift;
      } else if (offsets) {
        for (int64_t c = 0; c < cols; ++c)
          out[c] += roundCode(std::clamp(a[c] * toCode + offsets[c], -levels,
                                         levels)) *
                    fromCode;
      } else {
        for (int64_t c = 0; c < cols; ++c)
          out[c] +=
              roundCode(std::clamp(a[c] * toCode, -levels, levels)) * fromCode;
      }
    }
  }

  /// Rounds half away from zero a code of magnitude below 2^31 (ADC and
  /// DAC codes are at most 2^15): a truncating conversion, which compilers
  /// vectorise.
  static double roundCode(double q) {
    return double(int32_t(q + std::copysign(0.5, q)));
  }

  std::string uri_;
  SimMode mode_;
  SimOptions options_;
  ThreadPool pool_;
  mutable std::mutex mutex_;
  std::unordered_map<TileHandle, std::shared_ptr<const SimTile>> tiles_;
  TileHandle nextHandle_ = 1;
  DeviceStats counters_;
  std::vector<TileReport> reports_;
  std::atomic<uint64_t> noiseKeys_{0};
};

/// Parses the query of a simulator URI: noise=PRESET|FILE, seed=N,
/// drift_time=SECONDS, threads=N.
Status parseOptions(const std::string &uri, std::string_view query,
                    SimOptions &options, bool ideal) {
  options.noise.set_name("ideal");
  unsigned hw = std::thread::hardware_concurrency();
  options.threads = hw ? hw : 1;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view()
                                          : query.substr(amp + 1);
    size_t eq = item.find('=');
    std::string key(item.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view()
                                                   : item.substr(eq + 1));
    auto number = [&](double &out) -> Status {
      std::istringstream in(value);
      in >> out;
      if (value.empty() || !in.eof() || in.fail() || !(out >= 0))
        return makeError(Code::InvalidArgument, "device URI '", uri, "': ",
                         key, " must be a non-negative number, got '", value,
                         "'");
      return Status::ok();
    };
    double v = 0;
    if (key == "noise") {
      CIM_ASSIGN_OR_RETURN(options.noise, resolveNoiseModel(value));
    } else if (key == "seed") {
      CIM_TRY(number(v));
      options.seed = uint64_t(v);
    } else if (key == "drift_time") {
      CIM_TRY(number(v));
      options.driftTime = v;
    } else if (key == "threads") {
      CIM_TRY(number(v));
      if (v < 1)
        return makeError(Code::InvalidArgument, "device URI '", uri,
                         "': threads must be at least 1");
      options.threads = unsigned(v);
    } else {
      return makeError(Code::InvalidArgument, "device URI '", uri,
                       "': unknown option '", key,
                       "' (known: noise, seed, drift_time, threads)");
    }
  }
  if (ideal && !isIdeal(options.noise))
    return makeError(Code::InvalidArgument, "device URI '", uri,
                     "': sim://ideal has no non-idealities; use "
                     "sim://quantized?noise=", options.noise.name());
  return Status::ok();
}

class SimDriver final : public Driver {
public:
  std::string_view scheme() const override { return "sim"; }

  StatusOr<std::shared_ptr<Device>> open(const std::string &uri,
                                         std::string_view path) override {
    size_t q = path.find('?');
    std::string_view query =
        q == std::string_view::npos ? std::string_view() : path.substr(q + 1);
    std::string_view mode = path.substr(0, q);
    if (mode != "" && mode != "ideal" && mode != "quantized")
      return makeError(Code::InvalidArgument, "device URI '", uri,
                       "': unknown simulator mode '", std::string(mode),
                       "' (known: sim://ideal, sim://quantized)");
    bool ideal = mode != "quantized";
    SimOptions options;
    CIM_TRY(parseOptions(uri, query, options, ideal));
    // The simulator splits the batch over its own threads; one OpenBLAS
    // thread per GEMM keeps results independent of the thread count.
    openblas_set_num_threads(1);
    std::string canonical = ideal ? "sim://ideal" : "sim://quantized";
    if (!query.empty())
      canonical += "?" + std::string(query);
    return std::shared_ptr<Device>(std::make_shared<SimDevice>(
        canonical, ideal ? SimMode::Ideal : SimMode::Quantized,
        std::move(options)));
  }
};

} // namespace

std::unique_ptr<Driver> createSimDriver() {
  return std::make_unique<SimDriver>();
}

} // namespace cim::rt
