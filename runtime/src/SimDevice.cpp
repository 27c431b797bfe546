//===- SimDevice.cpp - The CIM array simulator ------------------*- C++ -*-===//
//
// The "sim" driver: a device that keeps programmed tiles in host memory and
// computes matrix-vector products on the CPU. Two modes:
//
//  - sim://ideal (also sim://): y = x * W with W = scale * (g_pos - g_neg),
//    accumulated in double; equals float math up to rounding.
//  - sim://quantized: models the analog signal chain of the target: inputs
//    are scaled by their max and quantised by the DAC, conductances are
//    quantised to the cell's levels, column sums are clipped and quantised by
//    the ADC, and the result is scaled back. A bit width of 0 in the target
//    disables that stage. See docs/Runtime.md for the formulas.
//
// Weights are stored row-major (rows x cols) so that the inner loop of the
// product runs over contiguous columns.
//
//===----------------------------------------------------------------------===//

#include "Hal.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace cim::rt {
namespace {

enum class SimMode { Ideal, Quantized };

/// A programmed tile, immutable after programming so mvm needs no lock.
struct SimTile {
  int64_t rows = 0;
  int64_t cols = 0;
  /// Ideal: scale * (g_pos - g_neg). Quantized: gq_pos - gq_neg.
  std::vector<double> weights;
  double scale = 1;
  double adcFullScale = 1;
  double dacLevels = 0; // L_dac, 0 = no DAC quantisation
  double adcLevels = 0; // L_adc, 0 = no ADC quantisation
  /// Bit slicing (quantized mode): `numSlices` planes of rows x cols cell
  /// values (slice-major), each read by its own ADC columns and weighted by
  /// sliceWeight[s] in the shift-add; empty when the tile is not sliced.
  int numSlices = 0;
  std::vector<double> slicePlanes;
  std::vector<double> sliceWeight, sliceFullScale;
  bool offsetReference = false; // subtract the mid-conductance reference
  /// Bit-serial inputs: `inputPasses` > 1 when input_bits exceed the DAC's.
  int inputPasses = 1;
  double inputLevels = 0; // 2^(input_bits - 1) - 1
  /// 1-bit converters: the DAC drives the input's sign, the ADC is a
  /// comparator giving +-full scale.
  bool dacSign = false, adcSign = false;
};

/// 2^(bits-1) - 1: the largest signed code of a converter; 0 for bits == 0.
double signedLevels(uint32_t bits) {
  return bits == 0 ? 0.0 : std::ldexp(1.0, int(bits) - 1) - 1.0;
}

class SimDevice final : public Device {
public:
  SimDevice(std::string uri, SimMode mode)
      : uri_(std::move(uri)), mode_(mode) {}

  const std::string &uri() const override { return uri_; }

  StatusOr<TileHandle> programTile(const artifact::Tile &tile,
                                   const artifact::Target &target) override {
    auto t = std::make_shared<SimTile>();
    t->rows = tile.rows();
    t->cols = tile.cols();
    size_t n = size_t(t->rows) * size_t(t->cols);
    if (t->rows <= 0 || t->cols <= 0 || size_t(tile.g_pos_size()) != n ||
        size_t(tile.g_neg_size()) != n)
      return makeError(Code::InvalidArgument, "tile ", tile.id(),
                       ": g_pos/g_neg do not hold rows*cols values");
    t->scale = tile.scale();
    t->adcFullScale = tile.adc_full_scale();
    t->weights.resize(n);
    if (mode_ == SimMode::Ideal) {
      for (size_t i = 0; i < n; ++i)
        t->weights[i] = t->scale * (double(tile.g_pos(int(i))) -
                                    double(tile.g_neg(int(i))));
    } else {
      // Cells hold 2^b uniform levels on [0, 1].
      // The tile's own array's cells, or the target's default ones.
      uint32_t bits = tile.bits_per_cell() ? tile.bits_per_cell()
                                           : target.bits_per_cell();
      double cellSteps = bits == 0 ? 0.0 : std::ldexp(1.0, int(bits)) - 1;
      auto cell = [&](float g) {
        return cellSteps == 0 ? double(g)
                              : std::round(double(g) * cellSteps) / cellSteps;
      };
      // OFFSET: one cell per weight at g = 0.5 + w_norm / 2 against an
      // exact mid-conductance reference column.
      bool offset = tile.encoding() == artifact::OFFSET;
      if (tile.weight_bits() > bits && bits > 0) {
        sliceWeights(*t, tile, bits, offset); // read from the slice planes
      } else {
        for (size_t i = 0; i < n; ++i) {
          double gp = tile.g_pos(int(i)), gn = tile.g_neg(int(i));
          t->weights[i] = offset
                              ? 2.0 * (cell(float(0.5 + 0.5 * (gp - gn))) - 0.5)
                              : cell(float(gp)) - cell(float(gn));
        }
      }
      t->dacLevels = signedLevels(target.dac_bits());
      t->adcLevels = signedLevels(target.adc_bits());
      t->dacSign = target.dac_bits() == 1;
      t->adcSign = target.adc_bits() == 1 ||
                   target.adc_kind() == artifact::ADC_KIND_SIGN;
      if (target.input_bits() > target.dac_bits() && target.dac_bits() >= 2) {
        // Magnitude digits of dac_bits - 1 bits per pass (the sign is the
        // drive polarity).
        uint32_t digitBits = target.dac_bits() - 1;
        uint32_t magnitudeBits = target.input_bits() - 1;
        t->inputPasses = int((magnitudeBits + digitBits - 1) / digitBits);
        t->inputLevels = signedLevels(target.input_bits());
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    TileHandle handle = nextHandle_++;
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
    std::vector<double> acc(tile->cols);
    std::vector<double> xq(tile->rows);
    for (int64_t b = 0; b < batch; ++b) {
      const float *xb = x + b * tile->rows;
      float *yb = y + b * tile->cols;
      if (mode_ == SimMode::Ideal)
        ideal(*tile, xb, xq, acc, yb);
      else
        quantized(*tile, xb, xq, acc, yb);
    }
    mvmCount_ += uint64_t(batch);
    ++mvmCalls_;
    return Status::ok();
  }

  DeviceStats stats() const override {
    DeviceStats s;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      s.tilesProgrammed = tiles_.size();
    }
    s.mvmCount = mvmCount_;
    s.mvmCalls = mvmCalls_;
    return s;
  }

private:
  /// Quantises each weight to weight_bits and splits its code into base
  /// 2^bits digits, one plane per slice (most significant last). A
  /// differential weight slices its magnitude and keeps its sign in every
  /// slice; an offset weight slices its offset code g = 0.5 + w / 2.
  static void sliceWeights(SimTile &t, const artifact::Tile &tile,
                           uint32_t bits, bool offset) {
    uint32_t wbits = tile.weight_bits();
    int slices = int((wbits + bits - 1) / bits);
    double levels = std::ldexp(1.0, int(wbits)) - 1; // L
    uint64_t base = uint64_t(1) << bits;               // B
    double digitMax = double(base - 1);               // D
    size_t n = size_t(t.rows) * size_t(t.cols);
    t.numSlices = slices;
    t.offsetReference = offset;
    t.slicePlanes.assign(size_t(slices) * n, 0.0);
    for (size_t i = 0; i < n; ++i) {
      double wn = double(tile.g_pos(int(i))) - double(tile.g_neg(int(i)));
      double sign = 1.0;
      uint64_t code;
      if (offset) {
        code = uint64_t(std::llround((0.5 + 0.5 * wn) * levels));
      } else {
        sign = wn < 0 ? -1.0 : 1.0;
        code = uint64_t(std::llround(std::fabs(wn) * levels));
      }
      for (int sl = 0; sl < slices; ++sl) {
        uint64_t digit = (code >> (uint64_t(bits) * sl)) & (base - 1);
        t.slicePlanes[size_t(sl) * n + i] = sign * double(digit) / digitMax;
      }
    }
    t.sliceWeight.resize(slices);
    t.sliceFullScale.assign(slices, 0.0);
    for (int sl = 0; sl < slices; ++sl) {
      t.sliceWeight[sl] = digitMax * std::ldexp(1.0, int(bits) * sl) / levels;
      for (int64_t c = 0; c < t.cols; ++c) {
        double sum = 0;
        for (int64_t r = 0; r < t.rows; ++r)
          sum += std::fabs(t.slicePlanes[size_t(sl) * n + size_t(r * t.cols + c)]);
        t.sliceFullScale[sl] = std::max(t.sliceFullScale[sl], sum);
      }
      if (t.sliceFullScale[sl] == 0)
        t.sliceFullScale[sl] = 1;
    }
  }

  /// acc = sum_r x[r] * W[r][:], row by row so W is read sequentially.
  static void accumulate(const SimTile &t, const double *x,
                         std::vector<double> &acc,
                         const std::vector<double> *plane = nullptr,
                         size_t planeOffset = 0) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const double *weights =
        plane ? plane->data() + planeOffset : t.weights.data();
    for (int64_t r = 0; r < t.rows; ++r) {
      double xr = x[r];
      if (xr == 0)
        continue;
      const double *w = weights + r * t.cols;
      for (int64_t c = 0; c < t.cols; ++c)
        acc[c] += xr * w[c];
    }
  }

  /// The ADC: clip to the full scale and quantise to its codes.
  static double convert(const SimTile &t, double r, double fullScale) {
    if (t.adcSign)
      return r > 0 ? fullScale : r < 0 ? -fullScale : 0.0;
    if (t.adcLevels == 0)
      return r;
    double q = std::round(r / fullScale * t.adcLevels);
    q = std::clamp(q, -t.adcLevels, t.adcLevels);
    return q * fullScale / t.adcLevels;
  }

  static void ideal(const SimTile &t, const float *x, std::vector<double> &xd,
                    std::vector<double> &acc, float *y) {
    std::copy(x, x + t.rows, xd.begin());
    accumulate(t, xd.data(), acc);
    for (int64_t c = 0; c < t.cols; ++c)
      y[c] = float(acc[c]);
  }

  /// Column results in normalised units for a normalised input vector
  /// `xn` (|xn| <= 1): the analog sums, each converted by the ADC; for a
  /// bit-sliced tile one conversion per slice, then the shift-add; an
  /// offset tile subtracts its (exact) reference column.
  static void columns(const SimTile &t, const double *xn,
                      std::vector<double> &acc, std::vector<double> &out) {
    if (t.numSlices == 0) {
      accumulate(t, xn, acc);
      for (int64_t c = 0; c < t.cols; ++c)
        out[c] = convert(t, acc[c], t.adcFullScale);
      return;
    }
    std::fill(out.begin(), out.end(), 0.0);
    size_t n = size_t(t.rows) * size_t(t.cols);
    for (int sl = 0; sl < t.numSlices; ++sl) {
      accumulate(t, xn, acc, &t.slicePlanes, size_t(sl) * n);
      for (int64_t c = 0; c < t.cols; ++c)
        out[c] += convert(t, acc[c], t.sliceFullScale[sl]) * t.sliceWeight[sl];
    }
    if (!t.offsetReference)
      return;
    double reference = 0;
    for (int64_t r = 0; r < t.rows; ++r)
      reference += 0.5 * xn[r];
    for (int64_t c = 0; c < t.cols; ++c)
      out[c] = 2.0 * (out[c] - reference);
  }

  static void quantized(const SimTile &t, const float *x,
                        std::vector<double> &xq, std::vector<double> &acc,
                        float *y) {
    // DAC: normalise the input vector by its largest magnitude.
    double s = 0;
    bool finite = true;
    for (int64_t r = 0; r < t.rows; ++r) {
      finite &= std::isfinite(x[r]);
      s = std::max(s, std::fabs(double(x[r])));
    }
    if (!finite) {
      std::fill(y, y + t.cols, std::numeric_limits<float>::quiet_NaN());
      return;
    }
    if (s == 0) {
      std::fill(y, y + t.cols, 0.0f);
      return;
    }
    std::vector<double> out(t.cols), total(t.cols, 0.0);
    if (t.inputPasses <= 1) {
      for (int64_t r = 0; r < t.rows; ++r) {
        double v = double(x[r]) / s;
        xq[r] = t.dacSign           ? double((v > 0) - (v < 0))
                : t.dacLevels == 0 ? v
                                   : std::round(v * t.dacLevels) / t.dacLevels;
      }
      columns(t, xq.data(), acc, out);
      total = out;
    } else {
      // Bit-serial: the input is rounded to input_bits and driven in passes
      // of the DAC's magnitude digits, least significant first; each pass
      // is converted, then shifted and added.
      double base = t.dacLevels + 1; // 2^(dac_bits - 1)
      std::vector<uint64_t> code(t.rows);
      std::vector<double> sign(t.rows);
      for (int64_t r = 0; r < t.rows; ++r) {
        double v = double(x[r]) / s;
        sign[r] = v < 0 ? -1.0 : 1.0;
        code[r] = uint64_t(std::llround(std::fabs(v) * t.inputLevels));
      }
      double weight = t.dacLevels / t.inputLevels;
      for (int p = 0; p < t.inputPasses; ++p) {
        for (int64_t r = 0; r < t.rows; ++r) {
          uint64_t digit = code[r] % uint64_t(base);
          code[r] /= uint64_t(base);
          xq[r] = sign[r] * double(digit) / t.dacLevels;
        }
        columns(t, xq.data(), acc, out);
        for (int64_t c = 0; c < t.cols; ++c)
          total[c] += out[c] * weight;
        weight *= base;
      }
    }
    for (int64_t c = 0; c < t.cols; ++c)
      y[c] = float(total[c] * s * t.scale);
  }

  std::string uri_;
  SimMode mode_;
  mutable std::mutex mutex_;
  std::unordered_map<TileHandle, std::shared_ptr<const SimTile>> tiles_;
  TileHandle nextHandle_ = 1;
  std::atomic<uint64_t> mvmCount_{0};
  std::atomic<uint64_t> mvmCalls_{0};
};

class SimDriver final : public Driver {
public:
  std::string_view scheme() const override { return "sim"; }

  StatusOr<std::shared_ptr<Device>> open(const std::string &uri,
                                         std::string_view path) override {
    if (path.empty() || path == "ideal")
      return std::shared_ptr<Device>(
          std::make_shared<SimDevice>("sim://ideal", SimMode::Ideal));
    if (path == "quantized")
      return std::shared_ptr<Device>(
          std::make_shared<SimDevice>("sim://quantized", SimMode::Quantized));
    return makeError(Code::InvalidArgument, "device URI '", uri,
                     "': unknown simulator mode '", path,
                     "' (known: sim://ideal, sim://quantized)");
  }
};

} // namespace

std::unique_ptr<Driver> createSimDriver() {
  return std::make_unique<SimDriver>();
}

} // namespace cim::rt
