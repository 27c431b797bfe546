//===- CimrtModule.cpp - The runtime's C API in Python ---------------------===//
//
// The part of the extension module cim._cim behind cim.Model and
// cim.Session (python/cim/__init__.py): thin classes over the public C API (cimrt.h), numpy arrays
// in and out. Inputs are handed to the C API as they lie when they are
// C-contiguous and of the declared element type (the C API makes the one
// copy it keeps); outputs are numpy views of the C API's tensors, which
// they keep alive, so nothing is copied on the way out. Every failing call
// raises cim.Error with the C API's message (which names the file, input
// or device) and its status code name.
//
//===----------------------------------------------------------------------===//

#include "Bindings.h"

#include <cimrt/cimrt.h>
#include "tooling/ModelIo.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <vector>

namespace py = pybind11;

namespace {

/// cim.Error, set when the module is imported.
PyObject *errorType = nullptr;

/// Raises cim.Error for a non-NULL status, freeing it.
void check(cimrt_status_t status) {
  if (!status)
    return;
  std::string message = cimrt_status_message(status);
  std::string code = cimrt_status_code_string(cimrt_status_code(status));
  cimrt_status_free(status);
  raiseError(message, code);
}

py::dtype numpyType(cimrt_dtype_t t) {
  switch (t) {
  case CIMRT_DTYPE_F32:
    return py::dtype::of<float>();
  case CIMRT_DTYPE_I64:
    return py::dtype::of<int64_t>();
  case CIMRT_DTYPE_BOOL:
    return py::dtype::of<bool>();
  default:
    throw std::runtime_error("invalid element type");
  }
}

struct IoSpec {
  std::string name;
  std::vector<int64_t> dims; // -1: dynamic
  std::string dtype;         // "float32", "int64", "bool"
};

class Model {
public:
  static Model fromFile(const std::string &path) {
    Model m;
    check(cimrt_model_load_file(path.c_str(), &m.model_));
    m.describe();
    return m;
  }
  static Model fromBytes(const py::bytes &data) {
    Model m;
    std::string_view bytes = data;
    check(cimrt_model_load_memory(bytes.data(), bytes.size(), &m.model_));
    m.describe();
    return m;
  }
  Model(const Model &o) : model_(o.model_), inputs_(o.inputs_),
                          outputs_(o.outputs_) {
    cimrt_model_retain(model_);
  }
  ~Model() { cimrt_model_release(model_); }

  const std::vector<IoSpec> &inputs() const { return inputs_; }
  const std::vector<IoSpec> &outputs() const { return outputs_; }
  std::string target() const { return cimrt_model_target_name(model_); }
  size_t tiles() const { return cimrt_model_tile_count(model_); }
  cimrt_model_t *get() const { return model_; }

private:
  Model() = default;
  void describe() {
    cim::tooling::forEachModelIo(
        model_, check,
        [&](bool in, const char *name, std::vector<int64_t> dims,
            cimrt_dtype_t t) {
          (in ? inputs_ : outputs_)
              .push_back({name, std::move(dims),
                          py::str(numpyType(t)).cast<std::string>()});
        });
  }
  cimrt_model_t *model_ = nullptr;
  std::vector<IoSpec> inputs_, outputs_;
};

class Session {
public:
  Session(const Model &model, const std::string &uri) : model_(model) {
    check(cimrt_device_open(uri.c_str(), &device_));
    cimrt_status_t s =
        cimrt_session_create(model.get(), device_, nullptr, &session_);
    if (s) {
      cimrt_device_release(device_);
      device_ = nullptr;
      check(s);
    }
  }
  ~Session() {
    cimrt_session_release(session_);
    cimrt_device_release(device_);
  }
  Session(const Session &) = delete;

  std::string device() const { return cimrt_device_uri(device_); }

  /// Runs on `inputs` (one array per model input, in order); returns the
  /// outputs in order.
  std::vector<py::array> run(const std::vector<py::array> &inputs) {
    const std::vector<IoSpec> &specs = model_.inputs();
    if (inputs.size() != specs.size())
      throw py::value_error("the model takes " + std::to_string(specs.size()) +
                            " inputs, got " + std::to_string(inputs.size()));
    std::vector<cimrt_tensor_t *> in(inputs.size(), nullptr);
    std::vector<cimrt_tensor_t *> out(model_.outputs().size(), nullptr);
    auto releaseAll = [&] {
      for (auto *t : in)
        cimrt_tensor_release(t);
      for (auto *t : out)
        cimrt_tensor_release(t);
    };
    cimrt_status_t status = nullptr;
    for (size_t i = 0; i < inputs.size() && !status; ++i) {
      cimrt_dtype_t want = cimrt_model_input_dtype(model_.get(), i);
      // Converted (and made contiguous) only when needed.
      py::array a = py::array::ensure(
          inputs[i], py::array::c_style | py::array::forcecast);
      if (!a)
        throw py::type_error("input '" + specs[i].name +
                             "' is not convertible to an array");
      if (!a.dtype().is(numpyType(want)))
        a = a.attr("astype")(numpyType(want)).cast<py::array>();
      std::vector<int64_t> dims(a.shape(), a.shape() + a.ndim());
      status = cimrt_tensor_create_typed(want, dims.data(), dims.size(),
                                         a.data(), &in[i]);
    }
    if (!status) {
      py::gil_scoped_release unlocked; // the session may take a while
      status = cimrt_session_run(session_, in.size(), in.data(), out.size(),
                                 out.data());
    }
    if (status) {
      releaseAll();
      check(status);
    }
    std::vector<py::array> results;
    for (cimrt_tensor_t *&t : out) {
      // A view of the tensor's data that owns a reference to it.
      py::capsule owner(t, [](void *p) {
        cimrt_tensor_release(static_cast<cimrt_tensor_t *>(p));
      });
      cimrt_dtype_t dtype = cimrt_tensor_dtype(t);
      std::vector<py::ssize_t> shape(cimrt_tensor_dims(t),
                                     cimrt_tensor_dims(t) +
                                         cimrt_tensor_rank(t));
      py::array view(numpyType(dtype), shape, {}, cimrt_tensor_raw_data(t),
                     owner);
      py::detail::array_proxy(view.ptr())->flags &=
          ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
      results.push_back(view);
      t = nullptr; // the capsule owns it now
    }
    releaseAll();
    return results;
  }

  py::dict stats() const {
    cimrt_device_stats_t d;
    check(cimrt_device_stats(device_, &d));
    cimrt_session_stats_t s;
    check(cimrt_session_stats(session_, &s));
    py::dict out;
    out["runs"] = s.runs;
    out["tiles"] = s.tiles;
    out["mvm_count"] = d.mvm_count;
    out["mvm_calls"] = d.mvm_calls;
    out["macs"] = d.macs;
    out["dac_conversions"] = d.dac_conversions;
    out["adc_conversions"] = d.adc_conversions;
    out["digital_ops"] = s.digital_op_count;
    out["program_writes"] = d.program_writes;
    out["comparisons"] = d.comparisons;
    out["charge_shares"] = d.charge_shares;
    py::dict energy;
    energy["mac"] = d.energy_mac_pj;
    energy["dac"] = d.energy_dac_pj;
    energy["adc"] = d.energy_adc_pj;
    energy["digital"] = d.energy_digital_pj;
    energy["bridge"] = d.energy_bridge_pj;
    energy["comparator"] = d.energy_comparator_pj;
    energy["charge_share"] = d.energy_charge_share_pj;
    energy["write"] = d.energy_write_pj;
    energy["total"] = d.energy_pj;
    out["energy_pj"] = energy;
    out["latency_ns"] = d.latency_ns;
    py::list tiles;
    for (size_t i = 0; i < d.tiles_reported; ++i) {
      cimrt_tile_report_t t;
      check(cimrt_device_tile_report(device_, i, &t));
      py::dict r;
      r["tile"] = t.tile_id;
      r["cells"] = t.cells;
      r["writes"] = t.writes;
      r["verify_failures"] = t.verify_failures;
      r["stuck_on"] = t.stuck_on;
      r["stuck_off"] = t.stuck_off;
      r["row_remaps"] = t.row_remaps;
      r["col_remaps"] = t.col_remaps;
      tiles.append(r);
    }
    out["tile_reports"] = tiles;
    cimrt_link_stats_t l;
    check(cimrt_device_link_stats(device_, &l));
    if (l.remote) {
      py::dict link;
      link["requests"] = l.requests;
      link["frames_sent"] = l.frames_sent;
      link["frames_received"] = l.frames_received;
      link["bytes_sent"] = l.bytes_sent;
      link["bytes_received"] = l.bytes_received;
      link["retries"] = l.retries;
      link["timeouts"] = l.timeouts;
      link["reconnects"] = l.reconnects;
      out["link"] = link;
    }
    return out;
  }

  /// The macro model's cost of the runs so far (cimrt_session_cost).
  py::dict cost() const {
    cimrt_session_cost_t c;
    check(cimrt_session_cost(session_, &c));
    py::dict energy;
    energy["mac"] = c.energy_mac_pj;
    energy["dac"] = c.energy_dac_pj;
    energy["adc"] = c.energy_adc_pj;
    energy["digital"] = c.energy_digital_pj;
    energy["activation"] = c.energy_activation_pj;
    energy["integrator"] = c.energy_integrator_pj;
    energy["bridge"] = c.energy_bridge_pj;
    energy["comparator"] = c.energy_comparator_pj;
    energy["charge_share"] = c.energy_charge_share_pj;
    energy["neuron"] = c.energy_neuron_pj;
    energy["pulse"] = c.energy_pulse_pj;
    energy["total"] = c.energy_pj;
    py::dict out;
    out["energy_pj"] = energy;
    out["latency_ns"] = c.latency_ns;
    out["mvms"] = c.mvms;
    out["macs"] = c.macs;
    out["dac_conversions"] = c.dac_conversions;
    out["adc_conversions"] = c.adc_conversions;
    out["digital_ops"] = c.digital_ops;
    out["spikes"] = c.spikes;
    out["synaptic_ops"] = c.synaptic_ops;
    return out;
  }

private:
  Model model_;
  cimrt_device_t *device_ = nullptr;
  cimrt_session_t *session_ = nullptr;
};

} // namespace

void raiseError(const std::string &message, const std::string &code) {
  py::object error = py::reinterpret_borrow<py::object>(errorType)(message);
  error.attr("code") = code;
  PyErr_SetObject(errorType, error.ptr());
  throw py::error_already_set();
}

void bindRuntime(py::module_ &m) {
  py::object error = py::module_::import("builtins").attr("RuntimeError");
  py::dict ns;
  errorType = PyErr_NewExceptionWithDoc(
      "cim.Error",
      "A refused model, input or device: the runtime's message, which "
      "names the file, input or device, and `code`, its status code name "
      "(e.g. 'INVALID_ARGUMENT').",
      error.ptr(), nullptr);
  m.attr("Error") = py::handle(errorType);
  m.attr("version") = cimrt_version_string();
  m.attr("artifact_version") = cimrt_artifact_version();

  py::class_<IoSpec>(m, "IoSpec")
      .def_readonly("name", &IoSpec::name)
      .def_readonly("dims", &IoSpec::dims)
      .def_readonly("dtype", &IoSpec::dtype)
      .def("__repr__", [](const IoSpec &s) {
        std::string dims;
        for (int64_t d : s.dims)
          dims += (dims.empty() ? "" : ", ") +
                  (d < 0 ? std::string("?") : std::to_string(d));
        return "IoSpec('" + s.name + "', [" + dims + "], " + s.dtype + ")";
      });
  py::class_<Model>(m, "Model")
      .def_static("from_file", &Model::fromFile, py::arg("path"))
      .def_static("from_bytes", &Model::fromBytes, py::arg("data"))
      .def_property_readonly("inputs", &Model::inputs)
      .def_property_readonly("outputs", &Model::outputs)
      .def_property_readonly("target", &Model::target)
      .def_property_readonly("tiles", &Model::tiles);
  py::class_<Session>(m, "Session")
      .def(py::init<const Model &, const std::string &>(), py::arg("model"),
           py::arg("device"))
      .def_property_readonly("device", &Session::device)
      .def("run", &Session::run, py::arg("inputs"))
      .def("stats", &Session::stats)
      .def("cost", &Session::cost);
}
