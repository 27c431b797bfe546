//===- Calibration.cpp - Calibrating a mapping on sample data ---*- C++ -*-===//
//
// Reads the calibration inputs, runs an in-memory artifact on them with the
// runtime's ideal simulator, and derives ranges and ADC windows. See
// Calibration.h.
//
//===----------------------------------------------------------------------===//

#include "Calibration.h"

#include "artifact/Artifact.h"
#include "cim/Macro/Conductance.h"
#include "cim/Macro/Rounding.h"
#include "cim/Macro/Slicing.h"
#include "cim/Macro/Spares.h"
#include "drivers/sim/Noise.h"
#include "hal/Hal.h"
#include "interp/Session.h"
#include "tooling/TensorIO.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

namespace fs = std::filesystem;

namespace cim {
namespace {

/// Input vectors kept per tile (a uniform sample of all it was driven
/// with): enough for each column's tails, small enough to search fast.
constexpr size_t kVectorsPerTile = 4096;

/// Draws of stuck cells over which the error prediction averages what the
/// spares remap (macro::faultEnergyLeft).
constexpr unsigned kSpareDraws = 32;

/// One run's inputs, in the model's input order.
using InputSet = std::vector<rt::Tensor>;

/// Reads one tensor file (.pb or .npy).
std::optional<rt::HostTensor> readTensor(const fs::path &file,
                                         std::string &error) {
  auto t = file.extension() == ".npy" ? rt::readNpyFile(file.string())
                                      : rt::readTensorFile(file.string());
  if (!t.isOk()) {
    error = t.status().message();
    return std::nullopt;
  }
  return std::move(*t);
}

/// The inputs of one set: `files` are input_N.pb (placed by tensor name,
/// else by N) or NAME.npy (placed by NAME).
bool readSet(const std::vector<fs::path> &files, const rt::Model &model,
             const std::string &where, std::vector<InputSet> &sets,
             std::string &error) {
  const auto &inputs = model.inputs();
  std::vector<std::optional<rt::HostTensor>> placed(inputs.size());
  auto byName = [&](const std::string &name) -> int {
    for (size_t i = 0; i < inputs.size(); ++i)
      if (model.values()[size_t(inputs[i])].name == name)
        return int(i);
    return -1;
  };
  for (const fs::path &file : files) {
    std::optional<rt::HostTensor> t = readTensor(file, error);
    if (!t)
      return false;
    int at = byName(t->name);
    if (at < 0 && file.extension() == ".pb") {
      std::string stem = file.stem().string(); // input_N
      at = std::atoi(stem.c_str() + 6);
      if (at >= int(inputs.size()))
        at = -1;
    }
    if (at < 0) {
      error = file.string() + ": the model has no input named '" + t->name +
              "'";
      return false;
    }
    placed[size_t(at)] = std::move(*t);
  }
  InputSet set;
  for (size_t i = 0; i < placed.size(); ++i) {
    if (!placed[i]) {
      error = where + ": no calibration data for input '" +
              model.values()[size_t(inputs[i])].name +
              "' (input_N.pb or NAME.npy)";
      return false;
    }
    set.push_back(rt::toTensor(*placed[i]));
  }
  sets.push_back(std::move(set));
  return true;
}

/// The tensor files of a set directory, sorted.
std::vector<fs::path> setFiles(const fs::path &dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    bool pb = name.rfind("input_", 0) == 0 && e.path().extension() == ".pb";
    if (e.is_regular_file() && (pb || e.path().extension() == ".npy"))
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// The input sets of `path`: a .pb or .npy file (a model with one input),
/// a directory of input_N.pb / NAME.npy, or a directory of
/// test_data_set_* directories of them.
bool readInputSets(const std::string &path, const rt::Model &model,
                   std::vector<InputSet> &sets, std::string &error) {
  fs::path root(path);
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    if (model.inputs().size() != 1) {
      error = path + ": the model has " +
              std::to_string(model.inputs().size()) +
              " inputs; give a directory with one file per input";
      return false;
    }
    std::optional<rt::HostTensor> t = readTensor(root, error);
    if (!t)
      return false;
    sets.push_back({rt::toTensor(*t)});
    return true;
  }
  if (!fs::is_directory(root, ec)) {
    error = path + (fs::exists(root, ec)
                        ? ": neither a file nor a directory"
                        : ": no such file or directory");
    return false;
  }
  std::vector<fs::path> subsets;
  for (const fs::directory_entry &e : fs::directory_iterator(root, ec))
    if (e.is_directory() &&
        e.path().filename().string().rfind("test_data_set_", 0) == 0)
      subsets.push_back(e.path());
  std::sort(subsets.begin(), subsets.end());
  if (subsets.empty())
    subsets.push_back(root);
  for (const fs::path &dir : subsets) {
    std::vector<fs::path> files = setFiles(dir);
    if (files.empty()) {
      error = dir.string() + ": no input_N.pb or .npy files";
      return false;
    }
    if (!readSet(files, model, dir.string(), sets, error))
      return false;
  }
  return true;
}

/// sim://ideal, wrapped so that it keeps a uniform sample of every tile's
/// input vectors, each divided by its largest magnitude as the DAC does.
class RecordingDevice final : public rt::Device {
public:
  explicit RecordingDevice(std::shared_ptr<rt::Device> inner)
      : inner_(std::move(inner)) {}

  struct Record {
    uint32_t tileId = 0;
    int64_t rows = 0;
    uint64_t seen = 0;
    std::vector<float> vectors; // kept vectors, rows each
    std::vector<float> scales;  // each kept vector's largest magnitude
  };

  const std::string &uri() const override { return inner_->uri(); }
  rt::StatusOr<rt::TileHandle>
  programTile(const rt::hal::TileImage &tile,
              const rt::hal::MacroConfig &target) override {
    auto handle = inner_->programTile(tile, target);
    if (handle.isOk()) {
      std::lock_guard<std::mutex> lock(mutex_);
      records_[*handle] = Record{tile.id, int64_t(tile.rows), 0, {}};
    }
    return handle;
  }
  void releaseTile(rt::TileHandle handle) override {
    inner_->releaseTile(handle);
  }
  rt::Status mvm(rt::TileHandle handle, const float *x, int64_t batch,
                 float *y) override {
    record(handle, x, batch);
    return inner_->mvm(handle, x, batch, y);
  }
  rt::Status mvmShared(rt::TileHandle handle, const float *x,
                       const float *carry, int64_t batch,
                       float *y) override {
    record(handle, x, batch);
    return inner_->mvmShared(handle, x, carry, batch, y);
  }
  rt::DeviceStats stats() const override { return inner_->stats(); }

  const std::map<rt::TileHandle, Record> &records() const { return records_; }

private:
  /// Reservoir sampling (Algorithm R) with a fixed seed: one data set
  /// always gives the same sample.
  /// Keeps a sample of the vectors driven through `handle`'s tile.
  void record(rt::TileHandle handle, const float *x, int64_t batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = records_.find(handle);
    if (it != records_.end())
      keep(it->second, x, batch);
  }

  void keep(Record &r, const float *x, int64_t batch) {
    for (int64_t b = 0; b < batch; ++b) {
      const float *v = x + b * r.rows;
      size_t slot;
      if (r.seen < kVectorsPerTile) {
        slot = size_t(r.seen);
        r.vectors.resize((slot + 1) * size_t(r.rows));
        r.scales.resize(slot + 1);
      } else {
        uint64_t j = std::uniform_int_distribution<uint64_t>(0, r.seen)(rng_);
        if (j >= kVectorsPerTile) {
          ++r.seen;
          continue;
        }
        slot = size_t(j);
      }
      ++r.seen;
      float largest = 0;
      for (int64_t i = 0; i < r.rows; ++i)
        largest = std::max(largest, std::fabs(v[i]));
      float inverse = largest > 0 && std::isfinite(largest) ? 1 / largest : 0;
      r.scales[slot] = inverse > 0 ? largest : 0;
      float *to = r.vectors.data() + slot * size_t(r.rows);
      for (int64_t i = 0; i < r.rows; ++i)
        to[i] = v[i] * inverse;
    }
  }

  std::shared_ptr<rt::Device> inner_;
  std::mutex mutex_;
  std::map<rt::TileHandle, Record> records_;
  std::mt19937_64 rng_{0};
};

/// Loads `bytes`, runs it on every input set through `device` and hands
/// each run's outputs to `sink`.
template <typename Sink>
bool runOnSets(const std::string &bytes, const std::string &dataPath,
               const std::function<std::shared_ptr<rt::Device>(
                   std::shared_ptr<rt::Device>)> &wrap,
               std::shared_ptr<const rt::Model> &model,
               std::shared_ptr<rt::Device> &device, Sink sink,
               std::string &error) {
  auto loaded = rt::Model::loadMemory(bytes.data(), bytes.size(),
                                      "<calibration artifact>");
  if (!loaded.isOk()) {
    error = loaded.status().message();
    return false;
  }
  model = *loaded;
  std::vector<InputSet> sets;
  if (!readInputSets(dataPath, *model, sets, error))
    return false;
  auto ideal = rt::DriverRegistry::global().open("sim://ideal");
  if (!ideal.isOk()) {
    error = ideal.status().message();
    return false;
  }
  device = wrap(*ideal);
  auto session = rt::Session::create(model, device);
  if (!session.isOk()) {
    error = session.status().message();
    return false;
  }
  for (size_t i = 0; i < sets.size(); ++i) {
    std::vector<rt::Tensor> outputs;
    rt::Status s = (*session)->run(sets[i], outputs);
    if (!s.isOk()) {
      error = dataPath + ": calibration run " + std::to_string(i) + ": " +
              s.message();
      return false;
    }
    sink(outputs);
  }
  return true;
}

/// The calibrated windows of tile `image` from its sampled inputs.
/// out[v][c] = sum_r vectors[v][r] * w[r][c] for the sampled vectors of
/// `record` (rows each) and a rows x cols matrix `w`.
void columnResults(const RecordingDevice::Record &record, size_t rows,
                   size_t cols, const std::vector<float> &w,
                   std::vector<float> &out) {
  const size_t vectors = record.vectors.size() / rows;
  out.resize(vectors * cols);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(vectors),
              int(cols), int(rows), 1.0f, record.vectors.data(), int(rows),
              w.data(), int(cols), 0.0f, out.data(), int(cols));
}

/// The predicted error of tile `image` read through `windows` on the
/// sampled vectors of `record`, whose column results per slice are
/// `planeResults` (see TileError): the quantisation terms
/// exactly on the samples (weights rounded to their levels, results
/// through the windows, and the DAC's rounding as uniform noise); the
/// noise model's terms as expected variances, as the simulator draws them
/// (docs/Simulator.md): read noise sigma * |x|, each cell's programming
/// sigma (bounded by the verify window), stuck cells (less what the
/// spares remap), IR drop's attenuation (exactly on the samples) and the
/// ADCs' offsets.
TileError predictError(const rt::hal::TileImage &image,
                       const rt::hal::MacroConfig &target,
                       const RecordingDevice::Record &record,
                       const std::vector<int32_t> &codes,
                       const macro::CellPlanes &planes,
                       const std::vector<std::vector<float>> &planeResults,
                       const std::vector<double> &windows,
                       const artifact::NoiseModel *noise) {
  TileError e;
  const size_t rows = image.rows, cols = image.cols, n = rows * cols;
  const size_t vectors = record.vectors.size() / rows;
  const unsigned bits =
      image.bitsPerCell ? image.bitsPerCell : target.bitsPerCell;
  const bool offset = image.encoding == rt::hal::WeightEncoding::Offset;
  const double levels = macro::signedLevels(target.adcBits);
  const double dacLevels = macro::signedLevels(target.dacBits);
  // Weights: intended (wn) and as the cells hold them (the codes, or
  // each weight's nearest), normalised.
  const double weightLevels = macro::weightLevels(bits, image.weightBits);
  std::vector<float> wn(n), dq(n);
  for (size_t i = 0; i < n; ++i) {
    wn[i] = image.gPos[i] - image.gNeg[i];
    double wq = codes.empty() ? macro::quantisedWeight(wn[i], bits,
                                                       image.weightBits, offset)
                              : double(codes[i]) / weightLevels;
    dq[i] = float(wq - wn[i]);
  }
  auto gemm = [&](const std::vector<float> &w, std::vector<float> &out) {
    columnResults(record, rows, cols, w, out);
  };
  std::vector<float> ideal, weightError;
  gemm(wn, ideal);
  gemm(dq, weightError);
  // Each result's conversion error through the windows, shifted and added.
  std::vector<double> adcError(vectors * cols, 0.0);
  for (size_t p = 0; p < planes.size(); ++p) {
    const std::vector<float> &planeResult = planeResults[p];
    for (size_t c = 0; c < cols; ++c) {
      macro::AdcWindow w{windows[2 * (p * cols + c)],
                         windows[2 * (p * cols + c) + 1]};
      double toCode = levels / w.half();
      for (size_t v = 0; v < vectors; ++v) {
        double a = planeResult[v * cols + c];
        double q = std::clamp(std::round((a - w.mid()) * toCode), -levels,
                              levels);
        adcError[v * cols + c] +=
            planes.shifts[p] * (w.mid() + q / toCode - a);
      }
    }
  }
  // Per-column variances that do not depend on the vector (times |x|^2 or
  // per row x_r^2 where they do).
  std::vector<double> dacVar(cols, 0.0), cellVar(n, 0.0), offsetVar(cols, 0.0),
      readCellVar;
  double readVar = 0;
  if (dacLevels > 0 && target.dacBits > 1 &&
      macro::inputPasses(target.inputBits, target.dacBits) == 1)
    for (size_t i = 0; i < n; ++i) {
      double wq = wn[i] + dq[i];
      dacVar[i % cols] += wq * wq / (12 * dacLevels * dacLevels);
    }
  std::vector<float> irError, stuckError;
  const bool analogCells = image.cellTech == rt::hal::CellTech::Rram ||
                           image.cellTech == rt::hal::CellTech::Unspecified;
  if (noise && analogCells) {
    double gMinRatio = 0;
    for (const rt::hal::ArrayKind &kind : target.arrays)
      if (kind.cellTech == image.cellTech && kind.gMaxUs > 0)
        gMinRatio = kind.gMinUs / kind.gMaxUs;
    const double span = 1 - gMinRatio;
    const bool folded = planes.folded();
    const double gain = offset ? (folded ? 2.0 : 1.0) : std::sqrt(2.0);
    double shift2 = 0;
    for (double sh : planes.shifts)
      shift2 += sh * sh;
    double sigma = noise->read_sigma() / span * gain;
    readVar = sigma * sigma * shift2;
    // One cell's programming variance in normalised units.
    auto programVar = [&](double g) {
      double G = gMinRatio + g * span;
      double sd = noise->prog_sigma_rel() * G + noise->prog_sigma_abs();
      double var = sd * sd;
      if (noise->verify_tolerance() > 0)
        var = std::min(var, noise->verify_tolerance() *
                                noise->verify_tolerance() / 3);
      return var / (span * span);
    };
    const double pOn = noise->stuck_on_rate(), pOff = noise->stuck_off_rate();
    const double pStuck = pOn + pOff;
    const double fold = folded ? 2.0 : 1.0;
    // A stuck cell's variance per weight (in its slice's units): its
    // partner compensates where the range allows, which leaves about the
    // weight itself when it cannot.
    auto stuckVar = [&](size_t p, size_t i) {
      double gp = planes.pos[p][i], gn = offset ? 0.0 : planes.neg[p][i];
      double v = planes.value(p, i);
      return noise->stuck_compensation() && !offset
                 ? pStuck * v * v
                 : pOn * ((1 - gp) * (1 - gp) + (1 - gn) * (1 - gn)) +
                       pOff * (gp * gp + gn * gn);
    };
    // The spares of the tile's array replace the lines whose stuck cells
    // err most: the share of each slice column's stuck-cell error left.
    std::vector<double> stuckLeft(planes.size() * cols, 1.0);
    if (pStuck > 0 && (image.spareRows > 0 || image.spareCols > 0)) {
      std::vector<double> magnitude(planes.size() * n);
      for (size_t p = 0; p < planes.size(); ++p)
        for (size_t i = 0; i < n; ++i)
          magnitude[p * n + i] = std::sqrt(stuckVar(p, i) / pStuck) *
                                 std::fabs(planes.shifts[p]) * fold *
                                 image.scales[i % cols];
      stuckLeft = macro::faultEnergyLeft(magnitude, planes.size(), rows, cols,
                                         pStuck, !offset, image.spareRows,
                                         image.spareCols, kSpareDraws,
                                         /*seed=*/1);
    }
    // Stuck cells also bias every weight the same way whatever the seed
    // (with compensation, a weight whose pair cannot be fixed reads as 0:
    // on average each weight shrinks by pOn + pOff), an error coherent
    // over the rows that copies share.
    std::vector<float> stuckMean(n, 0.0f);
    for (size_t p = 0; p < planes.size(); ++p)
      for (size_t i = 0; i < n; ++i) {
        double gp = planes.pos[p][i], gn = offset ? 0.0 : planes.neg[p][i];
        double bias =
            noise->stuck_compensation() && !offset
                ? -pStuck * planes.value(p, i)
                : (pOn * (1 - gp) - pOff * gp) -
                      (offset ? 0.0 : pOn * (1 - gn) - pOff * gn);
        stuckMean[i] += float(planes.shifts[p] * bias * fold *
                              stuckLeft[p * cols + i % cols]);
      }
    if (pStuck > 0)
      gemm(stuckMean, stuckError);
    // Conductance-proportional read noise: each cell's read sigma is
    // read_sigma_rel times its conductance (the simulator's readVar).
    auto relReadVar = [&](double g) {
      return macro::proportionalReadVariance(noise->read_sigma_rel(), g,
                                             gMinRatio);
    };
    if (noise->read_sigma_rel() > 0)
      readCellVar.assign(n, 0.0);
    for (size_t p = 0; p < planes.size(); ++p) {
      double sh2 = planes.shifts[p] * planes.shifts[p] * fold * fold;
      for (size_t i = 0; i < n; ++i) {
        double gp = planes.pos[p][i], gn = offset ? 0.0 : planes.neg[p][i];
        double var = programVar(gp) + (offset ? 0.0 : programVar(gn));
        cellVar[i] += sh2 * (var + stuckVar(p, i) * stuckLeft[p * cols + i % cols]);
        if (!readCellVar.empty())
          readCellVar[i] +=
              sh2 * (relReadVar(gp) + (offset ? 0.0 : relReadVar(gn)));
      }
    }
    if (noise->ir_drop() > 0) {
      // The simulator's first-order attenuation of each cell, applied to
      // the designed planes: a systematic error, exact on the samples.
      std::vector<float> ir(n, 0.0f);
      const double nr = double(rows);
      for (size_t p = 0; p < planes.size(); ++p)
        for (int side = 0; side < (offset ? 1 : 2); ++side) {
          const std::vector<double> &g = side ? planes.neg[p] : planes.pos[p];
          for (size_t c = 0; c < cols; ++c) {
            double mean = 0;
            for (size_t r = 0; r < rows; ++r)
              mean += gMinRatio + g[r * cols + c] * span;
            mean /= nr;
            for (size_t r = 0; r < rows; ++r) {
              double j = double(rows - r);
              double f = std::max(
                  0.0, 1 - noise->ir_drop() * mean * (j * nr - j * (j - 1) / 2));
              double G = gMinRatio + g[r * cols + c] * span;
              double dv = (G * f - G) / span * (side ? -1.0 : 1.0) *
                          (folded ? 2.0 : 1.0);
              ir[r * cols + c] += float(planes.shifts[p] * dv);
            }
          }
        }
      gemm(ir, irError);
    }
    double lsb2 = noise->adc_offset_sigma_lsb() * noise->adc_offset_sigma_lsb() +
                  noise->adc_offset_lsb() * noise->adc_offset_lsb();
    if (levels > 0 && lsb2 > 0)
      for (size_t p = 0; p < planes.size(); ++p)
        for (size_t c = 0; c < cols; ++c) {
          double half = 0.5 * (windows[2 * (p * cols + c) + 1] -
                               windows[2 * (p * cols + c)]);
          double step = half / levels * planes.shifts[p];
          offsetVar[c] += lsb2 * step * step;
        }
  }
  for (size_t v = 0; v < vectors; ++v) {
    const float *x = record.vectors.data() + v * rows;
    double norm2 = 0;
    for (size_t r = 0; r < rows; ++r)
      norm2 += double(x[r]) * x[r];
    double s = record.scales[v];
    for (size_t c = 0; c < cols; ++c) {
      double unit = s * image.scales[c];
      double u2 = unit * unit;
      size_t k = v * cols + c;
      double quant = double(weightError[k]) + adcError[k];
      e.signal += u2 * double(ideal[k]) * ideal[k];
      e.quantisation += u2 * (quant * quant + dacVar[c]);
      e.read += u2 * readVar * norm2;
      double prog = offsetVar[c], readRel = 0;
      for (size_t r = 0; r < rows; ++r)
        prog += double(x[r]) * x[r] * cellVar[r * cols + c];
      if (!readCellVar.empty())
        for (size_t r = 0; r < rows; ++r)
          readRel += double(x[r]) * x[r] * readCellVar[r * cols + c];
      e.programming += u2 * prog;
      e.read += u2 * readRel;
      if (!stuckError.empty()) {
        double bias = u2 * double(stuckError[k]) * stuckError[k];
        e.programming += bias;
        e.systematic += bias;
      }
      if (!irError.empty()) {
        double ir = u2 * double(irError[k]) * irError[k];
        e.programming += ir;
        e.systematic += ir;
      }
    }
  }
  return e;
}

/// Tiles with more rows keep the nearest codes: data-aware rounding costs
/// rows^3 (a few seconds at this size).
constexpr size_t kMaxRoundedRows = 1024;

/// The data-aware codes of tile `image` on the sampled vectors of
/// `record`, in the units the tile is driven with (each vector times its
/// largest magnitude), or none.
std::vector<int32_t> roundWeights(const rt::hal::TileImage &image,
                                  const rt::hal::MacroConfig &target,
                                  const RecordingDevice::Record *record) {
  unsigned bits = image.bitsPerCell ? image.bitsPerCell : target.bitsPerCell;
  if (!record || record->seen == 0 || bits == 0 ||
      image.rows > kMaxRoundedRows)
    return {};
  const size_t rows = image.rows, cols = image.cols, n = rows * cols;
  const size_t vectors = record->vectors.size() / rows;
  std::vector<float> x(record->vectors);
  for (size_t v = 0; v < vectors; ++v)
    for (size_t r = 0; r < rows; ++r)
      x[v * rows + r] *= record->scales[v];
  std::vector<float> wn(n);
  for (size_t i = 0; i < n; ++i)
    wn[i] = image.gPos[i] - image.gNeg[i];
  return macro::dataAwareCodes(
      wn.data(), rows, cols, x.data(), vectors, bits, image.weightBits,
      image.encoding == rt::hal::WeightEncoding::Offset);
}

TileCalibration calibrate(const rt::hal::TileImage &image,
                          const rt::hal::MacroConfig &target,
                          const RecordingDevice::Record *record,
                          const artifact::NoiseModel *noise, bool rounding) {
  TileCalibration out;
  if (rounding && !image.bridge) // a bridge is +-1: nothing to round
    out.codes = roundWeights(image, target, record);
  if (image.analog) {
    out.reason = "read without converters";
    return out;
  }
  if (image.ramp) {
    out.reason = "read through a ramp";
    return out;
  }
  if (image.lifColumns) {
    out.reason = "read by LIF neurons (no ADC)";
    return out;
  }
  if (image.bridge) {
    out.reason = "read by binary neurons (no ADC)";
    // The mean input of each row: what a broken bridge's charge would
    // have been on average (kept vectors are scaled to a largest
    // magnitude of 1; `scales` gives each back its own).
    if (record && !record->scales.empty()) {
      const size_t rows = image.rows, kept = record->scales.size();
      out.inputMeans.assign(rows, 0.0);
      for (size_t v = 0; v < kept; ++v)
        for (size_t r = 0; r < rows; ++r)
          out.inputMeans[r] +=
              double(record->vectors[v * rows + r]) * record->scales[v];
      for (double &m : out.inputMeans)
        m /= double(kept);
    }
    return out;
  }
  if (target.adcBits <= 1 || target.adcKind == rt::hal::AdcKind::Sign) {
    out.reason = "read through a sign comparator";
    return out;
  }
  if (macro::inputPasses(target.inputBits, target.dacBits) > 1) {
    out.reason = "driven bit-serially";
    return out;
  }
  if (!record || record->seen == 0) {
    out.reason = "never driven by the calibration data";
    return out;
  }
  const size_t rows = image.rows, cols = image.cols, n = rows * cols;
  const size_t vectors = record->vectors.size() / rows;
  unsigned bits = image.bitsPerCell ? image.bitsPerCell : target.bitsPerCell;
  // The cells as the device programs them: the codes, else the nearest.
  macro::CellPlanes planes = macro::codedCellPlanes(
      image.gPos.data(), image.gNeg.data(), out.codes, n, bits,
      image.weightBits, image.encoding == rt::hal::WeightEncoding::Offset);
  const double levels = macro::signedLevels(target.adcBits);
  // Each slice's column results, for its windows and the error prediction.
  std::vector<float> values(n);
  std::vector<std::vector<float>> planeResults(planes.size());
  std::vector<double> samples(vectors);
  for (size_t p = 0; p < planes.size(); ++p) {
    for (size_t i = 0; i < n; ++i)
      values[i] = float(planes.value(p, i));
    columnResults(*record, rows, cols, values, planeResults[p]);
    const std::vector<float> &results = planeResults[p];
    std::vector<macro::AdcWindow> bounds =
        macro::worstCaseWindows(planes, p, rows, cols);
    for (size_t c = 0; c < cols; ++c) {
      for (size_t v = 0; v < vectors; ++v)
        samples[v] = results[v * cols + c];
      macro::AdcWindow w = macro::calibratedWindow(samples, levels, bounds[c]);
      out.windows.push_back(w.lo);
      out.windows.push_back(w.hi);
    }
  }
  out.calibrated = true;
  out.vectors = vectors;
  out.error = predictError(image, target, *record, out.codes, planes,
                           planeResults, out.windows, noise);
  return out;
}

} // namespace

bool calibrateTiles(const std::string &bytes, const std::string &dataPath,
                    const std::string &noise, bool rounding,
                    std::vector<TileCalibration> &tiles,
                    OutputMargins &margins, std::string &error) {
  std::optional<artifact::NoiseModel> noiseModel;
  if (!noise.empty()) {
    auto resolved = rt::resolveNoiseModel(noise);
    if (!resolved.isOk()) {
      error = resolved.status().message();
      return false;
    }
    noiseModel = *resolved;
  }
  std::shared_ptr<const rt::Model> model;
  std::shared_ptr<rt::Device> device;
  RecordingDevice *recorder = nullptr;
  auto wrap = [&](std::shared_ptr<rt::Device> ideal) {
    auto r = std::make_shared<RecordingDevice>(std::move(ideal));
    recorder = r.get();
    return std::shared_ptr<rt::Device>(r);
  };
  double squares = 0, count = 0;
  auto scores = [&](const std::vector<rt::Tensor> &outputs) {
    if (outputs.empty() || outputs[0].dtype() != rt::DType::F32 ||
        outputs[0].rank() != 2 || outputs[0].dims()[1] < 2)
      return;
    const rt::Tensor &t = outputs[0];
    margins.output = model->values()[size_t(model->outputs()[0])].name;
    const int64_t n = t.dims()[0], c = t.dims()[1];
    const float *v = t.data<float>();
    for (int64_t b = 0; b < n; ++b) {
      double first = -HUGE_VAL, second = -HUGE_VAL;
      for (int64_t k = 0; k < c; ++k) {
        double x = v[b * c + k];
        squares += x * x;
        if (x > first) {
          second = first;
          first = x;
        } else if (x > second) {
          second = x;
        }
      }
      count += double(c);
      margins.gaps.push_back(first - second);
    }
  };
  if (!runOnSets(bytes, dataPath, wrap, model, device, scores, error))
    return false;
  margins.rms = count > 0 ? std::sqrt(squares / count) : 0.0;
  std::map<uint32_t, const RecordingDevice::Record *> byId;
  for (const auto &[handle, record] : recorder->records())
    byId[record.tileId] = &record;
  tiles.clear();
  for (const rt::hal::TileImage &image : model->tileImages()) {
    auto it = byId.find(image.id);
    tiles.push_back(calibrate(image, model->macroConfig(),
                              it == byId.end() ? nullptr : it->second,
                              noiseModel ? &*noiseModel : nullptr, rounding));
    // "node 'NAME'" names the layer the tile belongs to.
    std::string source = image.source;
    if (source.rfind("node '", 0) == 0 && source.size() > 7)
      source = source.substr(6, source.size() - 7);
    tiles.back().layer = source;
  }
  return true;
}

bool measurePreactivations(
    const std::string &bytes, const std::string &dataPath,
    std::map<std::string, std::pair<double, double>> &ranges,
    std::string &error) {
  std::shared_ptr<const rt::Model> model;
  std::shared_ptr<rt::Device> device;
  auto same = [](std::shared_ptr<rt::Device> d) { return d; };
  const std::string prefix = "preact:";
  auto sink = [&](const std::vector<rt::Tensor> &outputs) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string &name =
          model->values()[size_t(model->outputs()[i])].name;
      if (name.rfind(prefix, 0) != 0 || outputs[i].dtype() != rt::DType::F32)
        continue;
      const rt::Tensor &t = outputs[i];
      const float *v = t.data<float>();
      auto [it, fresh] = ranges.try_emplace(
          name.substr(prefix.size()),
          std::make_pair(HUGE_VAL, -HUGE_VAL));
      (void)fresh;
      for (int64_t k = 0; k < t.numElements(); ++k)
        if (std::isfinite(v[k])) {
          it->second.first = std::min(it->second.first, double(v[k]));
          it->second.second = std::max(it->second.second, double(v[k]));
        }
    }
  };
  if (!runOnSets(bytes, dataPath, same, model, device, sink, error))
    return false;
  for (auto it = ranges.begin(); it != ranges.end();)
    it = it->second.first <= it->second.second ? std::next(it)
                                               : ranges.erase(it);
  return true;
}

bool checkArtifact(const std::string &bytes, const std::string &path,
                   std::string &error) {
  auto loaded = rt::Model::loadMemory(bytes.data(), bytes.size(), path);
  if (loaded.isOk())
    return true;
  error = path + ": the compiler produced an artifact the runtime refuses (" +
          loaded.status().message() + ")";
  return false;
}

} // namespace cim
