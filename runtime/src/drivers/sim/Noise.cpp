//===- Noise.cpp - Non-ideality presets and files ---------------*- C++ -*-===//
//
// The presets cite their figures in docs/Simulator.md: rram-nominal follows
// a post-verify HfOx RRAM model and NeuRRAM-level read noise, rram-worst
// NeuRRAM's programming spread and measured stuck-at rates.
//
//===----------------------------------------------------------------------===//

#include "drivers/sim/Noise.h"

#include "base/FileBytes.h"

#include <google/protobuf/util/json_util.h>


namespace cim::rt {
namespace {

artifact::NoiseModel preset(const char *name) {
  artifact::NoiseModel m;
  m.set_name(name);
  return m;
}

const std::vector<artifact::NoiseModel> &presets() {
  static const std::vector<artifact::NoiseModel> all = [] {
    std::vector<artifact::NoiseModel> v;
    v.push_back(preset("ideal"));

    artifact::NoiseModel nominal = preset("rram-nominal");
    nominal.set_prog_sigma_rel(0.0113);  // 1.13% of G after verify
    nominal.set_prog_sigma_abs(0.000275); // 0.011 uS of 40 uS
    nominal.set_read_sigma(0.01);
    nominal.set_drift_nu(0.002);
    nominal.set_drift_t0(1.0);
    nominal.set_stuck_on_rate(0.005);
    nominal.set_stuck_off_rate(0.005);
    nominal.set_stuck_compensation(true);
    nominal.set_ir_drop(4e-5); // 1 ohm x 40 uS
    nominal.set_adc_offset_sigma_lsb(0.25);
    // An auto-zeroed comparator: 0.2 mV residual offset and the kT/C noise
    // of ~0.8 pF (0.07 mV), of a 0.2 V read swing; 1% capacitor mismatch.
    nominal.set_comparator_offset_sigma(0.001);
    nominal.set_comparator_noise_sigma(0.0004);
    nominal.set_bridge_cap_sigma(0.01);
    v.push_back(nominal);

    artifact::NoiseModel worst = preset("rram-worst");
    worst.set_prog_sigma_abs(0.05); // 5% of G_max
    worst.set_read_sigma(0.02);
    worst.set_drift_nu(0.01);
    worst.set_drift_t0(1.0);
    worst.set_stuck_on_rate(0.0175);
    worst.set_stuck_off_rate(0.0904);
    worst.set_ir_drop(1.2e-4); // 3 ohm x 40 uS
    worst.set_adc_offset_sigma_lsb(0.5);
    // A comparator without offset cancellation: 1 mV of a 0.2 V swing.
    worst.set_comparator_offset_sigma(0.005);
    worst.set_comparator_noise_sigma(0.001);
    worst.set_bridge_cap_sigma(0.02);
    v.push_back(worst);
    return v;
  }();
  return all;
}

/// The most program-and-verify iterations a noise model may ask for.
constexpr uint32_t kMaxVerifyIterations = 100;
/// The largest noise file read (a noise model is a few hundred bytes).
constexpr size_t kMaxNoiseFileBytes = size_t(1) << 20;

Status check(const std::string &where, const artifact::NoiseModel &m) {
  auto nonNegative = [&](const char *field, double v) -> Status {
    if (!(v >= 0) || !std::isfinite(v))
      return makeError(Code::InvalidArgument, where, field,
                       ": must be a non-negative number, got ", v);
    return Status::ok();
  };
  CIM_TRY(nonNegative("prog_sigma_rel", m.prog_sigma_rel()));
  CIM_TRY(nonNegative("prog_sigma_abs", m.prog_sigma_abs()));
  CIM_TRY(nonNegative("verify_tolerance", m.verify_tolerance()));
  CIM_TRY(nonNegative("read_sigma", m.read_sigma()));
  CIM_TRY(nonNegative("read_sigma_rel", m.read_sigma_rel()));
  CIM_TRY(nonNegative("drift_nu", m.drift_nu()));
  CIM_TRY(nonNegative("drift_nu_sigma", m.drift_nu_sigma()));
  CIM_TRY(nonNegative("drift_t0", m.drift_t0()));
  CIM_TRY(nonNegative("ir_drop", m.ir_drop()));
  CIM_TRY(nonNegative("adc_range", m.adc_range()));
  CIM_TRY(nonNegative("adc_offset_sigma_lsb", m.adc_offset_sigma_lsb()));
  CIM_TRY(nonNegative("comparator_offset_sigma", m.comparator_offset_sigma()));
  CIM_TRY(nonNegative("comparator_noise_sigma", m.comparator_noise_sigma()));
  CIM_TRY(nonNegative("bridge_cap_sigma", m.bridge_cap_sigma()));
  if (!std::isfinite(m.adc_offset_lsb()))
    return makeError(Code::InvalidArgument, where,
                     "adc_offset_lsb: must be a number");
  for (auto [field, rate] : {std::pair{"stuck_on_rate", m.stuck_on_rate()},
                             std::pair{"stuck_off_rate", m.stuck_off_rate()}})
    if (!(rate >= 0 && rate <= 1))
      return makeError(Code::InvalidArgument, where, field,
                       ": must be a rate in [0, 1], got ", rate);
  if (m.stuck_on_rate() + m.stuck_off_rate() > 1)
    return makeError(Code::InvalidArgument, where,
                     "stuck_on_rate + stuck_off_rate: must be at most 1");
  if (m.verify_tolerance() > 0 && m.verify_max_iterations() == 0)
    return makeError(Code::InvalidArgument, where,
                     "verify_max_iterations: must be at least 1 with a "
                     "verify_tolerance");
  // Each iteration is a write and a read of every cell: program-and-verify
  // schemes stop within tens of pulses, and the cap keeps a tolerance no
  // cell can meet from making programming endless.
  if (m.verify_max_iterations() > kMaxVerifyIterations)
    return makeError(Code::InvalidArgument, where,
                     "verify_max_iterations: at most ", kMaxVerifyIterations,
                     ", got ", m.verify_max_iterations());
  return Status::ok();
}

} // namespace

bool isIdeal(const artifact::NoiseModel &m) {
  return m.prog_sigma_rel() == 0 && m.prog_sigma_abs() == 0 &&
         m.read_sigma() == 0 && m.read_sigma_rel() == 0 && m.drift_nu() == 0 &&
         m.drift_nu_sigma() == 0 && m.stuck_on_rate() == 0 &&
         m.stuck_off_rate() == 0 && m.ir_drop() == 0 &&
         (m.adc_range() == 0 || m.adc_range() == 1) &&
         m.adc_offset_lsb() == 0 && m.adc_offset_sigma_lsb() == 0 &&
         m.comparator_offset_sigma() == 0 && m.comparator_noise_sigma() == 0 &&
         m.bridge_cap_sigma() == 0;
}

std::vector<std::string> noisePresetNames() {
  std::vector<std::string> names;
  for (const artifact::NoiseModel &m : presets())
    names.push_back(m.name());
  return names;
}

StatusOr<artifact::NoiseModel> resolveNoiseModel(const std::string &spec) {
  for (const artifact::NoiseModel &m : presets())
    if (m.name() == spec)
      return m;
  auto file = FileBytes::open(spec, kMaxNoiseFileBytes);
  if (!file.isOk()) {
    if (file.status().code() != Code::NotFound)
      return file.status();
    std::string names;
    for (const std::string &n : noisePresetNames())
      names += (names.empty() ? "" : ", ") + n;
    return makeError(Code::NotFound, spec, ": not a noise preset (", names,
                     ") and cannot be opened as a file");
  }
  return parseNoiseModel(std::string((*file)->bytes()), spec);
}

StatusOr<artifact::NoiseModel> parseNoiseModel(const std::string &json,
                                               const std::string &label) {
  artifact::NoiseModel model;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, &model, options);
  if (!status.ok()) {
    // The parser's message quotes the text after its first line; the file
    // may not be a noise model at all, so only that first line is shown.
    std::string why(status.message());
    why = why.substr(0, why.find('\n'));
    return makeError(Code::InvalidArgument, label,
                     ": not a noise model (JSON of the NoiseModel fields): ",
                     why);
  }
  if (model.name().empty())
    model.set_name(label);
  CIM_TRY(check(label + ": ", model));
  return model;
}

} // namespace cim::rt
