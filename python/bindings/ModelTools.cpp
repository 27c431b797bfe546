//===- ModelTools.cpp - Noise models and artifacts for sweeps -------------===//
//
// The part of cim._cim that cim.NoiseModel and cim.sweep use (built with
// the compiler, where the runtime's internals are linked in): the noise
// presets as JSON (the files' format, docs/Simulator.md), a noise model's
// JSON checked as the simulator checks it, and an artifact with fields of
// its target changed (e.g. the ADC's bits), so that a sweep over target
// fields ships artifact bytes and compiles nothing.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"
#include "cimx.pb.h"
#include "drivers/sim/Noise.h"

#include <google/protobuf/util/json_util.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fstream>

namespace py = pybind11;
namespace pb = google::protobuf;

namespace {

[[noreturn]] void raise(const std::string &message) {
  raiseError(message, "INVALID_ARGUMENT");
}

std::string toJson(const pb::Message &m) {
  std::string out;
  pb::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)pb::util::MessageToJsonString(m, &out, options);
  return out;
}

/// The preset or file `spec` as JSON, checked.
std::string noiseModelJson(const std::string &spec) {
  auto model = cim::rt::resolveNoiseModel(spec);
  if (!model.isOk())
    raise(model.status().message());
  return toJson(*model);
}

/// `data` (an artifact) with target fields set: scalar fields of
/// cim.artifact.Target by name (dac_bits, adc_bits, input_bits, ...).
py::bytes withTarget(const py::bytes &data, const py::dict &fields) {
  cim::artifact::Artifact a;
  std::string_view bytes = data;
  if (!a.ParseFromArray(bytes.data(), int(bytes.size())))
    raise("not a cim artifact (protobuf parse failed)");
  pb::Message *target = a.mutable_target();
  const pb::Descriptor *d = target->GetDescriptor();
  const pb::Reflection *r = target->GetReflection();
  for (auto item : fields) {
    std::string name = py::str(item.first);
    const pb::FieldDescriptor *f = d->FindFieldByName(name);
    if (!f || f->is_repeated() ||
        f->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE)
      raise("target has no scalar field '" + name + "'");
    py::handle v = item.second;
    switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      long long x = v.cast<long long>();
      if (x < 0 || x > 0xFFFFFFFFLL)
        raise("target." + name + ": " + std::to_string(x) +
              " is not a 32-bit unsigned value");
      r->SetUInt32(target, f, uint32_t(x));
      break;
    }
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
      r->SetDouble(target, f, v.cast<double>());
      break;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      r->SetBool(target, f, v.cast<bool>());
      break;
    case pb::FieldDescriptor::CPPTYPE_STRING:
      r->SetString(target, f, v.cast<std::string>());
      break;
    default:
      raise("target." + name + " cannot be set from Python");
    }
  }
  return py::bytes(a.SerializeAsString());
}

} // namespace

void bindModelTools(py::module_ &m) {
  m.def("noise_presets", &cim::rt::noisePresetNames,
        "The noise presets' names.");
  m.def("noise_model_json", &noiseModelJson, py::arg("spec"),
        "A noise preset, or a JSON file, as checked JSON.");
  m.def("with_target", &withTarget, py::arg("artifact"), py::arg("fields"),
        "The artifact's bytes with scalar fields of its target set.");
}
