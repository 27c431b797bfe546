//===- Calibration.h - Calibrating a mapping on sample data -----*- C++ -*-===//
//
// cim-compile --calibration-data: the compiler runs the model it compiled on
// the user's sample inputs, in the runtime's ideal simulation, and looks at
// the values the hardware will see. Two measurements, each on an artifact
// built in memory:
//
//  - the pre-activation range of every fusable activation (an artifact
//    whose fusable activations' inputs are outputs named preact:NAME), for
//    the ramp readouts of fused activations;
//  - the input vectors of every tile (a recording device keeps a sample of
//    each tile's inputs), for the weights' data-aware codes
//    (macro::dataAwareCodes) and, on those codes, for each ADC column's
//    window: the window that minimises the conversion's mean squared error
//    on the samples (macro::calibratedWindow).
//
// No MLIR here: the driver turns the results into module and op
// attributes, so every decision stays in the IR and the artifact.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_TOOLS_CIM_COMPILE_CALIBRATION_H
#define CIM_TOOLS_CIM_COMPILE_CALIBRATION_H

#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cim {

/// The predicted error of a tile's outputs on the calibration data, as
/// sums of squares in model units over the sampled vectors and columns
/// (with the same sum of the ideal outputs, `signal`): weight and
/// converter quantisation through the tile's windows, and the noise
/// model's read noise and programming (variation after verify, stuck
/// cells, IR drop, ADC offsets).
struct TileError {
  double signal = 0, quantisation = 0, read = 0, programming = 0;
  /// The part of `programming` that every copy of a replicated product
  /// shares (IR drop's attenuation), which averaging does not reduce.
  double systematic = 0;
};

/// The ADC windows and weight codes of one tile, or why it keeps its
/// worst-case windows.
struct TileCalibration {
  bool calibrated = false;
  std::string reason;          // when not calibrated
  std::vector<double> windows; // lo, hi pairs, slice-major
  /// The data-aware code of every weight (macro/Rounding.h), rows x cols;
  /// empty where the tile was never driven or its cells are unquantised.
  std::vector<int32_t> codes;
  /// A bridge tile's mean input per row over the data (empty elsewhere, or
  /// where the tile was never driven).
  std::vector<double> inputMeans;
  size_t vectors = 0;          // input vectors sampled
  std::string layer;           // the ONNX node the tile's weight came from
  TileError error;             // with the windows above (calibrated only)
};

/// The model's first output on the calibration data, where it is a batch
/// of scores ([N, C], C >= 2): each sample's gap between its two largest
/// scores, and the scores' RMS.
struct OutputMargins {
  std::string output;
  std::vector<double> gaps;
  double rms = 0;
};

/// Runs the artifact `bytes` on every input set of `dataPath` in ideal
/// simulation and computes, for each of its tiles in order, the weights'
/// data-aware codes (with `rounding`), the calibrated ADC windows (on those
/// codes) and the predicted errors under the noise model `noise` (a preset
/// name or a JSON file; empty: quantisation only). On failure returns
/// false and sets `error` to one line naming the file and what is wrong.
bool calibrateTiles(const std::string &bytes, const std::string &dataPath,
                    const std::string &noise, bool rounding,
                    std::vector<TileCalibration> &tiles,
                    OutputMargins &margins, std::string &error);

/// Runs the artifact `bytes` (compiled with exposed pre-activations) on the
/// input sets of `dataPath` and returns [min, max] of every output named
/// preact:NAME, by NAME.
bool measurePreactivations(
    const std::string &bytes, const std::string &dataPath,
    std::map<std::string, std::pair<double, double>> &ranges,
    std::string &error);

/// Loads the artifact `bytes` as the runtime does (parse and verify) and
/// returns false with `error` ("PATH: the compiler produced an artifact
/// the runtime refuses: ...") when the runtime would refuse it.
bool checkArtifact(const std::string &bytes, const std::string &path,
                   std::string &error);

} // namespace cim

#endif // CIM_TOOLS_CIM_COMPILE_CALIBRATION_H
