//===- Runner.cpp - A model on a device, through the C API ------*- C++ -*-===//
//
// The C API calls of Runner, and the element-type mapping between the C
// API's enum and the runtime's DType.
//
//===----------------------------------------------------------------------===//

#include "tooling/Runner.h"
#include "tooling/ModelIo.h"
#include "tooling/Exit.h"

#include <chrono>
#include <cstring>

namespace cim::tooling {

using rt::DType;
using rt::HostTensor;

namespace {

DType fromC(cimrt_dtype_t dtype) {
  switch (dtype) {
  case CIMRT_DTYPE_I64:
    return DType::I64;
  case CIMRT_DTYPE_BOOL:
    return DType::Bool;
  default:
    return DType::F32;
  }
}

cimrt_dtype_t toC(DType dtype) {
  switch (dtype) {
  case DType::I64:
    return CIMRT_DTYPE_I64;
  case DType::Bool:
    return CIMRT_DTYPE_BOOL;
  default:
    return CIMRT_DTYPE_F32;
  }
}

} // namespace

Runner::Runner(const std::string &modelPath, const std::string &deviceUri) {
  // The destructor does not run when the constructor throws: free what
  // was made so far first.
  try {
    check(cimrt_model_load_file(modelPath.c_str(), &model_));
    check(cimrt_device_open(deviceUri.c_str(), &device_));
    check(cimrt_session_create(model_, device_, nullptr, &session_));
    forEachModelIo(model_, check,
                   [&](bool in, const char *name, std::vector<int64_t> dims,
                       cimrt_dtype_t dtype) {
                     (in ? inputs_ : outputs_)
                         .push_back({name, std::move(dims), fromC(dtype)});
                   });
  } catch (...) {
    release();
    throw;
  }
}

Runner::~Runner() { release(); }

void Runner::release() {
  cimrt_session_release(session_);
  cimrt_device_release(device_);
  cimrt_model_release(model_);
  session_ = nullptr;
  device_ = nullptr;
  model_ = nullptr;
}

std::vector<HostTensor> Runner::run(const std::vector<HostTensor> &in) {
  std::vector<cimrt_tensor_t *> tensors(in.size(), nullptr);
  std::vector<cimrt_tensor_t *> results(outputs_.size(), nullptr);
  cimrt_status_t status = nullptr;
  for (size_t i = 0; i < in.size() && !status; ++i) {
    // An F32 input the model takes as F32 is read where it is (the host
    // tensor outlives the run); others are converted to the declared type
    // and copied.
    if (in[i].dtype == DType::F32 && inputs_[i].dtype == DType::F32 &&
        !in[i].data.empty() &&
        in[i].data.size() == size_t(rt::elementCount(in[i].dims))) {
      status = cimrt_tensor_create_borrowed(
          CIMRT_DTYPE_F32, in[i].dims.data(), in[i].dims.size(),
          in[i].data.data(), nullptr, nullptr, &tensors[i]);
      continue;
    }
    rt::Tensor t = rt::toTensor(in[i]).convertedTo(inputs_[i].dtype);
    status = cimrt_tensor_create_typed(toC(t.dtype()), t.dims().data(),
                                       t.rank(), t.rawData(), &tensors[i]);
  }
  if (!status) {
    auto start = std::chrono::steady_clock::now();
    status = cimrt_session_run(session_, tensors.size(), tensors.data(),
                               results.size(), results.data());
    sessionSeconds_ += std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  }
  std::vector<HostTensor> out;
  if (!status) {
    for (size_t i = 0; i < results.size(); ++i) {
      const int64_t *d = cimrt_tensor_dims(results[i]);
      size_t n = cimrt_tensor_element_count(results[i]);
      DType dtype = fromC(cimrt_tensor_dtype(results[i]));
      rt::Tensor t = rt::Tensor::zeros(
          dtype, rt::Shape(d, d + cimrt_tensor_rank(results[i])));
      if (n)
        std::memcpy(t.mutableRawData(), cimrt_tensor_raw_data(results[i]),
                    n * cimrt_dtype_size(cimrt_tensor_dtype(results[i])));
      out.push_back(rt::fromTensor(t, outputs_[i].name));
    }
  }
  for (auto *t : tensors)
    cimrt_tensor_release(t);
  for (auto *t : results)
    cimrt_tensor_release(t);
  check(status);
  return out;
}

int findByName(const std::vector<IoInfo> &ios, const std::string &name) {
  for (size_t i = 0; i < ios.size(); ++i)
    if (!name.empty() && ios[i].name == name)
      return int(i);
  return -1;
}

} // namespace cim::tooling
