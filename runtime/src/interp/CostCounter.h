//===- CostCounter.h - The macro's cost of what a session ran ---*- C++ -*-===//
//
// Charges every instruction a session runs to the macro model's cost
// functions (cim/Macro/Cost.h), the same ones the compiler's report uses:
// a cim.mvm as a read of its tile by each input vector, a cim.ode under
// the analog schedule with its boundary converters and integrators, and
// the instructions the compiler marked (partial sums, digital activations)
// per element. Layers and arrays come from the artifact (instruction
// `layer`, tile placement), so latency follows the compiler's placement.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_INTERP_COSTCOUNTER_H
#define CIMRT_SRC_INTERP_COSTCOUNTER_H

#include "artifact/Artifact.h"
#include "base/Tensor.h"
#include "cim/Macro/Cost.h"
#include "cimx.pb.h"

#include <mutex>
#include <vector>

namespace cim::rt {

class CostCounter {
public:
  explicit CostCounter(const Model &model);

  /// Charges one executed instruction with its inputs and outputs.
  void charge(const artifact::Instruction &inst,
              const std::vector<const Tensor *> &inputs,
              const std::vector<Tensor> &outputs);

  /// Everything charged since creation or the last reset.
  macro::Cost total() const;
  void reset();

private:
  struct TileInfo {
    macro::TileRead read;
    macro::CostLedger::ArrayId array;
  };
  macro::CostFigures figures_;
  unsigned lanes_ = 1;
  macro::Cell defaultCell_ = macro::Cell::RRAM;
  std::vector<TileInfo> tiles_; // by tile id
  mutable std::mutex mutex_;
  macro::CostLedger ledger_;
};

} // namespace cim::rt

#endif // CIMRT_SRC_INTERP_COSTCOUNTER_H
