//===- CApi.cpp - The C API over the C++ runtime ----------------*- C++ -*-===//
//
// Implements include/cimrt/cimrt.h. Each C handle is a small reference-
// counted box around the C++ object; each entry point checks its arguments,
// converts C++ Status into a heap-allocated cimrt_status_impl, and catches
// exceptions (allocation failure) so that nothing unwinds into C code.
//
//===----------------------------------------------------------------------===//

#include "cimrt/cimrt.h"

#include "artifact/Artifact.h"
#include "hal/Hal.h"
#include "interp/Session.h"
#include "base/Status.h"
#include "base/Tensor.h"

#include <atomic>
#include <cstring>
#include <exception>
#include <memory>

using namespace cim::rt;

struct cimrt_status_impl {
  cimrt_status_code_t code;
  std::string message;
};

struct cimrt_model_t {
  std::atomic<int> refs{1};
  std::shared_ptr<const Model> model;
};

struct cimrt_device_t {
  std::atomic<int> refs{1};
  std::shared_ptr<Device> device;
};

struct cimrt_tensor_t {
  std::atomic<int> refs{1};
  Tensor tensor;
};

struct cimrt_session_t {
  std::atomic<int> refs{1};
  std::unique_ptr<Session> session;
};

namespace {

cimrt_status_t toC(const Status &s) {
  if (s.isOk())
    return nullptr;
  return new cimrt_status_impl{static_cast<cimrt_status_code_t>(s.code()),
                               s.message()};
}

cimrt_status_t error(Code code, std::string message) {
  return toC(Status(code, std::move(message)));
}

/// Runs `body` and turns escaping exceptions into INTERNAL errors, their
/// message prefixed with `fn` (the function, and the file it works on).
template <typename F> cimrt_status_t guarded(const std::string &fn, F &&body) {
  try {
    return body();
  } catch (const std::bad_alloc &) {
    return error(Code::Internal, strCat(fn, ": out of memory"));
  } catch (const std::exception &e) {
    return error(Code::Internal, strCat(fn, ": ", e.what()));
  } catch (...) {
    return error(Code::Internal, strCat(fn, ": unknown exception"));
  }
}

template <typename T> void retain(T *obj) {
  if (obj)
    obj->refs.fetch_add(1, std::memory_order_relaxed);
}

template <typename T> void release(T *obj) {
  if (obj && obj->refs.fetch_sub(1, std::memory_order_acq_rel) == 1)
    delete obj;
}

bool fromC(cimrt_dtype_t dtype, DType &out) {
  switch (dtype) {
  case CIMRT_DTYPE_F32:
    out = DType::F32;
    return true;
  case CIMRT_DTYPE_I64:
    out = DType::I64;
    return true;
  case CIMRT_DTYPE_BOOL:
    out = DType::Bool;
    return true;
  default:
    return false;
  }
}

cimrt_dtype_t toC(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return CIMRT_DTYPE_F32;
  case DType::I64:
    return CIMRT_DTYPE_I64;
  case DType::Bool:
    return CIMRT_DTYPE_BOOL;
  }
  return CIMRT_DTYPE_INVALID;
}

cimrt_status_t wrapModel(StatusOr<std::shared_ptr<const Model>> loaded,
                         cimrt_model_t **out_model) {
  if (!loaded.isOk())
    return toC(loaded.status());
  auto *m = new cimrt_model_t();
  m->model = std::move(*loaded);
  *out_model = m;
  return nullptr;
}

const ValueInfo *ioValue(const cimrt_model_t *model, size_t index, bool input,
                         cimrt_status_t *status) {
  if (!model) {
    *status = error(Code::InvalidArgument, "model is NULL");
    return nullptr;
  }
  const Model &m = *model->model;
  const auto &slots = input ? m.inputs() : m.outputs();
  if (index >= slots.size()) {
    *status = error(Code::InvalidArgument,
                    strCat(m.label(), ": ", input ? "input" : "output",
                           " index ", index, " is out of range (the model has ",
                           slots.size(), ")"));
    return nullptr;
  }
  return &m.values()[slots[index]];
}

cimrt_status_t ioName(const cimrt_model_t *model, size_t index, bool input,
                      const char **out_name) {
  if (!out_name)
    return error(Code::InvalidArgument, "out_name is NULL");
  *out_name = nullptr;
  cimrt_status_t status = nullptr;
  const ValueInfo *v = ioValue(model, index, input, &status);
  if (v)
    *out_name = v->name.c_str();
  return status;
}

cimrt_dtype_t ioDType(const cimrt_model_t *model, size_t index, bool input) {
  if (!model)
    return CIMRT_DTYPE_INVALID;
  const Model &m = *model->model;
  const auto &slots = input ? m.inputs() : m.outputs();
  return index < slots.size() ? toC(m.values()[slots[index]].dtype)
                              : CIMRT_DTYPE_INVALID;
}

cimrt_status_t ioDims(const cimrt_model_t *model, size_t index, bool input,
                      size_t *out_rank, const int64_t **out_dims) {
  if (!out_rank || !out_dims)
    return error(Code::InvalidArgument, "out_rank/out_dims is NULL");
  *out_rank = 0;
  *out_dims = nullptr;
  cimrt_status_t status = nullptr;
  const ValueInfo *v = ioValue(model, index, input, &status);
  if (v) {
    *out_rank = v->dims.size();
    *out_dims = v->dims.data();
  }
  return status;
}

} // namespace

extern "C" {

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

cimrt_status_code_t cimrt_status_code(cimrt_status_t status) {
  return status ? status->code : CIMRT_OK;
}

const char *cimrt_status_message(cimrt_status_t status) {
  return status ? status->message.c_str() : "OK";
}

void cimrt_status_free(cimrt_status_t status) { delete status; }

const char *cimrt_status_code_string(cimrt_status_code_t code) {
  switch (code) {
  case CIMRT_OK:
    return "OK";
  case CIMRT_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case CIMRT_NOT_FOUND:
    return "NOT_FOUND";
  case CIMRT_DATA_LOSS:
    return "DATA_LOSS";
  case CIMRT_UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case CIMRT_FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case CIMRT_INTERNAL:
    return "INTERNAL";
  case CIMRT_UNAVAILABLE:
    return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

const char *cimrt_version_string(void) { return CIMRT_VERSION_STRING; }

uint32_t cimrt_artifact_version(void) { return kVersion; }

size_t cimrt_dtype_size(cimrt_dtype_t dtype) {
  DType d;
  return fromC(dtype, d) ? dtypeSize(d) : 0;
}

const char *cimrt_dtype_string(cimrt_dtype_t dtype) {
  DType d;
  return fromC(dtype, d) ? dtypeName(d) : "INVALID";
}

//===----------------------------------------------------------------------===//
// Model
//===----------------------------------------------------------------------===//

cimrt_status_t cimrt_model_load_file(const char *path,
                                     cimrt_model_t **out_model) {
  if (!out_model)
    return error(Code::InvalidArgument,
                 "cimrt_model_load_file: out_model is NULL");
  *out_model = nullptr;
  if (!path)
    return error(Code::InvalidArgument, "cimrt_model_load_file: path is NULL");
  return guarded(strCat(path, ": cimrt_model_load_file"),
                 [&] { return wrapModel(Model::loadFile(path), out_model); });
}

cimrt_status_t cimrt_model_load_memory(const void *data, size_t size,
                                       cimrt_model_t **out_model) {
  if (!out_model)
    return error(Code::InvalidArgument,
                 "cimrt_model_load_memory: out_model is NULL");
  *out_model = nullptr;
  return guarded("cimrt_model_load_memory", [&] {
    return wrapModel(Model::loadMemory(data, size, "<memory>"), out_model);
  });
}

void cimrt_model_retain(cimrt_model_t *model) { retain(model); }
void cimrt_model_release(cimrt_model_t *model) { release(model); }

size_t cimrt_model_input_count(const cimrt_model_t *model) {
  return model ? model->model->inputs().size() : 0;
}

size_t cimrt_model_output_count(const cimrt_model_t *model) {
  return model ? model->model->outputs().size() : 0;
}

cimrt_status_t cimrt_model_input_name(const cimrt_model_t *model, size_t index,
                                      const char **out_name) {
  return ioName(model, index, /*input=*/true, out_name);
}

cimrt_status_t cimrt_model_output_name(const cimrt_model_t *model, size_t index,
                                       const char **out_name) {
  return ioName(model, index, /*input=*/false, out_name);
}

cimrt_status_t cimrt_model_input_dims(const cimrt_model_t *model, size_t index,
                                      size_t *out_rank,
                                      const int64_t **out_dims) {
  return ioDims(model, index, /*input=*/true, out_rank, out_dims);
}

cimrt_status_t cimrt_model_output_dims(const cimrt_model_t *model, size_t index,
                                       size_t *out_rank,
                                       const int64_t **out_dims) {
  return ioDims(model, index, /*input=*/false, out_rank, out_dims);
}

cimrt_dtype_t cimrt_model_input_dtype(const cimrt_model_t *model,
                                      size_t index) {
  return ioDType(model, index, /*input=*/true);
}

cimrt_dtype_t cimrt_model_output_dtype(const cimrt_model_t *model,
                                       size_t index) {
  return ioDType(model, index, /*input=*/false);
}

const char *cimrt_model_target_name(const cimrt_model_t *model) {
  return model ? model->model->target().name().c_str() : "";
}

size_t cimrt_model_tile_count(const cimrt_model_t *model) {
  return model ? size_t(model->model->tiles().size()) : 0;
}

//===----------------------------------------------------------------------===//
// Device
//===----------------------------------------------------------------------===//

cimrt_status_t cimrt_device_open(const char *uri, cimrt_device_t **out_device) {
  if (!out_device)
    return error(Code::InvalidArgument,
                 "cimrt_device_open: out_device is NULL");
  *out_device = nullptr;
  if (!uri)
    return error(Code::InvalidArgument, "cimrt_device_open: uri is NULL");
  return guarded("cimrt_device_open", [&]() -> cimrt_status_t {
    auto device = DriverRegistry::global().open(uri);
    if (!device.isOk())
      return toC(device.status());
    auto *d = new cimrt_device_t();
    d->device = std::move(*device);
    *out_device = d;
    return nullptr;
  });
}

void cimrt_device_retain(cimrt_device_t *device) { retain(device); }
void cimrt_device_release(cimrt_device_t *device) { release(device); }

const char *cimrt_device_uri(const cimrt_device_t *device) {
  return device ? device->device->uri().c_str() : "";
}

cimrt_status_t cimrt_device_stats(const cimrt_device_t *device,
                                  cimrt_device_stats_t *out_stats) {
  if (!device || !out_stats)
    return error(Code::InvalidArgument,
                 "cimrt_device_stats: device or out_stats is NULL");
  DeviceStats s = device->device->stats();
  *out_stats = cimrt_device_stats_t{};
  out_stats->tiles_programmed = s.tilesProgrammed;
  out_stats->mvm_count = s.mvmCount;
  out_stats->mvm_calls = s.mvmCalls;
  out_stats->macs = s.macs;
  out_stats->dac_conversions = s.dacConversions;
  out_stats->adc_conversions = s.adcConversions;
  out_stats->digital_ops = s.digitalOps;
  out_stats->program_writes = s.programWrites;
  out_stats->tiles_reported = s.tiles.size();
  auto energy = [&](const char *key) {
    auto it = s.energyPj.find(key);
    return it == s.energyPj.end() ? 0.0 : it->second;
  };
  out_stats->energy_mac_pj = energy("mac");
  out_stats->energy_dac_pj = energy("dac");
  out_stats->energy_adc_pj = energy("adc");
  out_stats->energy_digital_pj = energy("digital");
  out_stats->comparisons = s.comparisons;
  out_stats->charge_shares = s.chargeShares;
  out_stats->energy_bridge_pj = energy("bridge");
  out_stats->energy_comparator_pj = energy("comparator");
  out_stats->energy_charge_share_pj = energy("charge_share");
  out_stats->energy_write_pj = energy("write");
  out_stats->energy_pj = out_stats->energy_mac_pj + out_stats->energy_dac_pj +
                         out_stats->energy_adc_pj +
                         out_stats->energy_digital_pj +
                         out_stats->energy_bridge_pj +
                         out_stats->energy_comparator_pj +
                         out_stats->energy_charge_share_pj +
                         out_stats->energy_write_pj;
  out_stats->latency_ns = s.latencyNs;
  return nullptr;
}

cimrt_status_t cimrt_device_tile_report(const cimrt_device_t *device,
                                        size_t index,
                                        cimrt_tile_report_t *out) {
  if (!device || !out)
    return error(Code::InvalidArgument,
                 "cimrt_device_tile_report: device or out is NULL");
  DeviceStats s = device->device->stats();
  if (index >= s.tiles.size())
    return error(Code::InvalidArgument,
                 strCat("cimrt_device_tile_report: index ", index,
                        " but the device has ", s.tiles.size(),
                        " tile reports"));
  const TileReport &r = s.tiles[index];
  *out = cimrt_tile_report_t{r.tileId,   r.cells,    r.writes,
                             r.verifyFailures, r.stuckOn, r.stuckOff,
                             r.rowRemaps, r.colRemaps};
  return nullptr;
}

cimrt_status_t cimrt_device_link_stats(const cimrt_device_t *device,
                                       cimrt_link_stats_t *out) {
  if (!device || !out)
    return error(Code::InvalidArgument,
                 "cimrt_device_link_stats: device or out is NULL");
  *out = cimrt_link_stats_t{};
  DeviceStats s = device->device->stats();
  if (!s.link)
    return nullptr;
  const LinkStats &l = *s.link;
  out->remote = 1;
  out->requests = l.requests;
  out->frames_sent = l.framesSent;
  out->frames_received = l.framesReceived;
  out->bytes_sent = l.bytesSent;
  out->bytes_received = l.bytesReceived;
  out->frames_rejected = l.framesRejected;
  out->retries = l.retries;
  out->timeouts = l.timeouts;
  out->reconnects = l.reconnects;
  out->stale_replies = l.staleReplies;
  out->board_frames_rejected = l.boardFramesRejected;
  out->board_duplicates_answered = l.boardDuplicatesAnswered;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

namespace {

cimrt_status_t createTensor(const char *fn, DType dtype, const int64_t *dims,
                            size_t rank, const void *data,
                            cimrt_tensor_t **out_tensor) {
  if (rank > 0 && !dims)
    return error(Code::InvalidArgument,
                 strCat(fn, ": dims is NULL for rank ", rank));
  return guarded(fn, [&]() -> cimrt_status_t {
    Shape shape(dims, dims + rank);
    auto count = checkedElementCount(shape, fn);
    if (!count.isOk())
      return toC(count.status());
    auto *t = new cimrt_tensor_t();
    t->tensor = Tensor::zeros(dtype, std::move(shape));
    if (data && *count) {
      if (dtype == DType::Bool) {
        // Normalise: a C++ bool must hold exactly 0 or 1.
        const auto *src = static_cast<const uint8_t *>(data);
        bool *dst = t->tensor.mutableData<bool>();
        for (int64_t i = 0; i < *count; ++i)
          dst[i] = src[i] != 0;
      } else {
        std::memcpy(t->tensor.mutableRawData(), data,
                    size_t(*count) * dtypeSize(dtype));
      }
    }
    *out_tensor = t;
    return nullptr;
  });
}

} // namespace

cimrt_status_t cimrt_tensor_create(const int64_t *dims, size_t rank,
                                   const float *data,
                                   cimrt_tensor_t **out_tensor) {
  if (!out_tensor)
    return error(Code::InvalidArgument,
                 "cimrt_tensor_create: out_tensor is NULL");
  *out_tensor = nullptr;
  return createTensor("cimrt_tensor_create", DType::F32, dims, rank, data,
                      out_tensor);
}

cimrt_status_t cimrt_tensor_create_typed(cimrt_dtype_t dtype,
                                         const int64_t *dims, size_t rank,
                                         const void *data,
                                         cimrt_tensor_t **out_tensor) {
  if (!out_tensor)
    return error(Code::InvalidArgument,
                 "cimrt_tensor_create_typed: out_tensor is NULL");
  *out_tensor = nullptr;
  DType d;
  if (!fromC(dtype, d))
    return error(Code::InvalidArgument,
                 strCat("cimrt_tensor_create_typed: unknown dtype ",
                        int(dtype)));
  return createTensor("cimrt_tensor_create_typed", d, dims, rank, data,
                      out_tensor);
}

cimrt_status_t cimrt_tensor_create_borrowed(cimrt_dtype_t dtype,
                                            const int64_t *dims, size_t rank,
                                            const void *data,
                                            void (*release)(void *user),
                                            void *user,
                                            cimrt_tensor_t **out_tensor) {
  const char *fn = "cimrt_tensor_create_borrowed";
  // On every failure the memory goes back to the caller at once.
  auto giveBack = [&] {
    if (release)
      release(user);
  };
  auto fail = [&](std::string message) {
    giveBack();
    return error(Code::InvalidArgument, strCat(fn, ": ", message));
  };
  if (!out_tensor)
    return fail("out_tensor is NULL");
  *out_tensor = nullptr;
  DType d;
  if (!fromC(dtype, d) || d == DType::Bool)
    return fail(strCat("dtype ", int(dtype),
                       " cannot be borrowed (F32 and I64 can; copy BOOL "
                       "with cimrt_tensor_create_typed)"));
  if (rank > 0 && !dims)
    return fail(strCat("dims is NULL for rank ", rank));
  Shape shape(dims, dims + rank);
  auto count = checkedElementCount(shape, fn);
  if (!count.isOk()) {
    giveBack();
    return toC(count.status());
  }
  if (!data || reinterpret_cast<uintptr_t>(data) % 8 != 0)
    return fail("data must be a non-NULL address aligned to 8 bytes");
  return guarded(fn, [&]() -> cimrt_status_t {
    auto *t = new cimrt_tensor_t();
    t->tensor = Tensor::borrowed(d, std::move(shape), data, [release, user] {
      if (release)
        release(user);
    });
    *out_tensor = t;
    return nullptr;
  });
}

void cimrt_tensor_retain(cimrt_tensor_t *tensor) { retain(tensor); }
void cimrt_tensor_release(cimrt_tensor_t *tensor) { release(tensor); }

size_t cimrt_tensor_rank(const cimrt_tensor_t *tensor) {
  return tensor ? tensor->tensor.rank() : 0;
}

const int64_t *cimrt_tensor_dims(const cimrt_tensor_t *tensor) {
  return tensor ? tensor->tensor.dims().data() : nullptr;
}

size_t cimrt_tensor_element_count(const cimrt_tensor_t *tensor) {
  return tensor ? size_t(tensor->tensor.numElements()) : 0;
}

cimrt_dtype_t cimrt_tensor_dtype(const cimrt_tensor_t *tensor) {
  return tensor ? toC(tensor->tensor.dtype()) : CIMRT_DTYPE_INVALID;
}

const float *cimrt_tensor_data(const cimrt_tensor_t *tensor) {
  return tensor && tensor->tensor.dtype() == DType::F32
             ? tensor->tensor.data<float>()
             : nullptr;
}

const void *cimrt_tensor_raw_data(const cimrt_tensor_t *tensor) {
  return tensor ? tensor->tensor.rawData() : nullptr;
}

//===----------------------------------------------------------------------===//
// Session
//===----------------------------------------------------------------------===//

void cimrt_session_options_initialize(cimrt_session_options_t *out_options) {
  if (!out_options)
    return;
  std::memset(out_options, 0, sizeof(*out_options));
  out_options->trace = 0;
  out_options->check_finite = 0;
}

cimrt_status_t cimrt_session_create(cimrt_model_t *model,
                                    cimrt_device_t *device,
                                    const cimrt_session_options_t *options,
                                    cimrt_session_t **out_session) {
  if (!out_session)
    return error(Code::InvalidArgument,
                 "cimrt_session_create: out_session is NULL");
  *out_session = nullptr;
  if (!model || !device)
    return error(Code::InvalidArgument,
                 "cimrt_session_create: model and device are required");
  return guarded(strCat(model->model->label(), ": cimrt_session_create"),
                 [&]() -> cimrt_status_t {
    SessionOptions opts;
    if (options) {
      opts.trace = options->trace != 0;
      opts.checkFinite = options->check_finite != 0;
    }
    auto session = Session::create(model->model, device->device, opts);
    if (!session.isOk())
      return toC(session.status());
    auto *s = new cimrt_session_t();
    s->session = std::move(*session);
    *out_session = s;
    return nullptr;
  });
}

void cimrt_session_retain(cimrt_session_t *session) { retain(session); }
void cimrt_session_release(cimrt_session_t *session) { release(session); }

cimrt_status_t cimrt_session_run(cimrt_session_t *session, size_t num_inputs,
                                 cimrt_tensor_t *const *inputs,
                                 size_t num_outputs,
                                 cimrt_tensor_t **out_outputs) {
  if (!session)
    return error(Code::InvalidArgument, "cimrt_session_run: session is NULL");
  if (num_outputs && !out_outputs)
    return error(Code::InvalidArgument,
                 "cimrt_session_run: out_outputs is NULL");
  for (size_t i = 0; i < num_outputs; ++i)
    out_outputs[i] = nullptr;
  const Model &m = session->session->model();
  if (num_outputs != m.outputs().size())
    return error(Code::InvalidArgument,
                 strCat(m.label(), ": the model has ", m.outputs().size(),
                        " output", m.outputs().size() == 1 ? "" : "s",
                        ", the caller asked for ", num_outputs));
  if (num_inputs && !inputs)
    return error(Code::InvalidArgument, "cimrt_session_run: inputs is NULL");
  return guarded(strCat(m.label(), ": cimrt_session_run"), [&]() -> cimrt_status_t {
    std::vector<Tensor> in(num_inputs);
    for (size_t i = 0; i < num_inputs; ++i) {
      if (!inputs[i])
        return error(Code::InvalidArgument,
                     strCat(m.label(), ": inputs[", i, "] is NULL"));
      in[i] = inputs[i]->tensor;
    }
    std::vector<Tensor> out;
    Status s = session->session->run(in, out);
    if (!s.isOk())
      return toC(s);
    // Build every output before handing any out, so a failure leaks none.
    std::vector<std::unique_ptr<cimrt_tensor_t>> made;
    for (size_t i = 0; i < num_outputs; ++i) {
      made.push_back(std::make_unique<cimrt_tensor_t>());
      made.back()->tensor = std::move(out[i]);
    }
    for (size_t i = 0; i < num_outputs; ++i)
      out_outputs[i] = made[i].release();
    return nullptr;
  });
}

cimrt_status_t cimrt_session_stats(const cimrt_session_t *session,
                                   cimrt_session_stats_t *out_stats) {
  if (!session || !out_stats)
    return error(Code::InvalidArgument,
                 "cimrt_session_stats: session or out_stats is NULL");
  SessionStats s = session->session->stats();
  out_stats->runs = s.runs;
  out_stats->tiles = s.tiles;
  out_stats->mvm_count = s.mvmCount;
  out_stats->digital_op_count = s.digitalOps;
  return nullptr;
}

cimrt_status_t cimrt_session_cost(const cimrt_session_t *session,
                                  cimrt_session_cost_t *out_cost) {
  if (!session || !out_cost)
    return error(Code::InvalidArgument,
                 "cimrt_session_cost: session or out_cost is NULL");
  cim::macro::Cost c = session->session->cost();
  auto energy = [&](const char *component) {
    auto it = c.energyPj.find(component);
    return it == c.energyPj.end() ? 0.0 : it->second;
  };
  *out_cost = cimrt_session_cost_t{};
  out_cost->energy_pj = c.energy();
  out_cost->energy_mac_pj = energy("mac");
  out_cost->energy_dac_pj = energy("dac");
  out_cost->energy_adc_pj = energy("adc");
  out_cost->energy_digital_pj = energy("digital");
  out_cost->energy_activation_pj = energy("activation");
  out_cost->energy_integrator_pj = energy("integrator");
  out_cost->latency_ns = c.latencyNs;
  out_cost->mvms = c.mvms;
  out_cost->macs = c.macs;
  out_cost->dac_conversions = c.dacConversions;
  out_cost->adc_conversions = c.adcConversions;
  out_cost->digital_ops = c.digitalOps;
  out_cost->comparisons = c.comparisons;
  out_cost->charge_shares = c.chargeShares;
  out_cost->energy_bridge_pj = energy("bridge");
  out_cost->energy_comparator_pj = energy("comparator");
  out_cost->energy_charge_share_pj = energy("charge_share");
  out_cost->neuron_updates = c.neuronUpdates;
  out_cost->spikes = c.spikes;
  out_cost->synaptic_ops = c.synapticOps;
  out_cost->input_pulses = c.inputPulses;
  out_cost->energy_neuron_pj = energy("neuron");
  out_cost->energy_pulse_pj = energy("pulse");
  return nullptr;
}

} // extern "C"
