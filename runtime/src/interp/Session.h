//===- Session.h - Sessions and the interpreter -----------------*- C++ -*-===//
//
// A Session programs every tile of a model into a device once and then runs
// the program as often as asked: bind constants and inputs to value slots,
// execute the instructions in order (cim.mvm on the device, everything else
// on the host), check each result against its declared type, and return the
// program outputs. Shapes are computed at run time, so one session serves
// any batch size the declared dynamic dims allow.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_INTERP_SESSION_H
#define CIMRT_SRC_INTERP_SESSION_H

#include "artifact/Artifact.h"
#include "cim/Macro/Cost.h"
#include "hal/Hal.h"
#include "interp/CostCounter.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace cim::rt {

struct SessionOptions {
  bool trace = false;       // print each instruction to stderr
  bool checkFinite = false; // fail on NaN/Inf in the outputs
};

struct SessionStats {
  uint64_t runs = 0;
  uint64_t tiles = 0;
  uint64_t mvmCount = 0;
  uint64_t digitalOps = 0;
};

class Session {
public:
  static StatusOr<std::unique_ptr<Session>>
  create(std::shared_ptr<const Model> model, std::shared_ptr<Device> device,
         SessionOptions options = {});
  ~Session();

  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;

  /// Runs the program. `inputs` are in declared order; a tensor of another
  /// element type than its input's declared one is converted to it
  /// (Tensor::convertedTo). Outputs are returned in their declared element
  /// types.
  Status run(const std::vector<Tensor> &inputs, std::vector<Tensor> &outputs);

  SessionStats stats() const;
  /// The macro model's cost of every run so far (cim/Macro/Cost.h): the
  /// same functions as the compiler's report, on the work that ran.
  macro::Cost cost() const;
  const Model &model() const { return *model_; }
  Device &device() const { return *device_; }

private:
  Session(std::shared_ptr<const Model> model, std::shared_ptr<Device> device,
          SessionOptions options)
      : model_(std::move(model)), device_(std::move(device)),
        options_(options) {}

  Status bindInputs(const std::vector<Tensor> &inputs,
                    std::vector<Tensor> &slots) const;
  Status runLocked(const std::vector<Tensor> &inputs,
                   std::vector<Tensor> &outputs);

  std::shared_ptr<const Model> model_;
  std::shared_ptr<Device> device_;
  SessionOptions options_;
  std::vector<TileHandle> tileHandles_; // by tile index
  std::mutex runMutex_;
  std::atomic<uint64_t> runs_{0}, mvmCount_{0}, digitalOps_{0};
  std::unique_ptr<CostCounter> costs_;
};

/// Whether `actual` is an instance of `declared` (-1 matches any size); on
/// mismatch, `why` says which dim differs.
bool shapeMatches(const Shape &declared, const Shape &actual, std::string &why);

} // namespace cim::rt

#endif // CIMRT_SRC_INTERP_SESSION_H
