//===- Runner.h - A model on a device, through the C API --------*- C++ -*-===//
//
// What a host app does with the public C API, wrapped for the tools: load
// an artifact, open a device, create a session, list the model's inputs and
// outputs, and run it on host tensors (each converted to its input's
// declared element type). Errors leave as ToolExit failures.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_RUNNER_H
#define CIMRT_SRC_TOOLING_RUNNER_H

#include "cimrt/cimrt.h"
#include "tooling/TensorIO.h"

#include <string>
#include <vector>

namespace cim::tooling {

/// A model input or output as declared.
struct IoInfo {
  std::string name;
  std::vector<int64_t> dims;
  rt::DType dtype = rt::DType::F32;
};

class Runner {
public:
  Runner(const std::string &modelPath, const std::string &deviceUri);
  ~Runner();
  Runner(const Runner &) = delete;
  Runner &operator=(const Runner &) = delete;

  const std::vector<IoInfo> &inputs() const { return inputs_; }
  const std::vector<IoInfo> &outputs() const { return outputs_; }
  cimrt_model_t *model() const { return model_; }
  cimrt_device_t *device() const { return device_; }
  cimrt_session_t *session() const { return session_; }

  /// Runs on `in` (one per model input, in order) and returns the outputs.
  std::vector<rt::HostTensor> run(const std::vector<rt::HostTensor> &in);

  /// Seconds spent in the session's runs (cimrt_session_run) so far.
  double sessionSeconds() const { return sessionSeconds_; }

private:
  void release();

  cimrt_model_t *model_ = nullptr;
  cimrt_device_t *device_ = nullptr;
  cimrt_session_t *session_ = nullptr;
  std::vector<IoInfo> inputs_, outputs_;
  double sessionSeconds_ = 0;
};

/// Index of the model input/output named `name`, or -1.
int findByName(const std::vector<IoInfo> &ios, const std::string &name);

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_RUNNER_H
