//===- CostCounter.h - The macro's cost of what a session ran ---*- C++ -*-===//
//
// Charges the work a session runs to the macro model's cost functions
// (cim/Macro/Cost.h), the same ones the compiler's report uses. The
// kernels that know the facts charge it: cim.mvm a read of its tile by
// each input vector, cim.ode under the analog schedule its boundary
// converters and integrators; the session charges the instructions the
// compiler marked (partial sums, digital activations) per element. Layers
// and arrays come from the artifact (instruction `layer`, tile placement),
// so latency follows the compiler's placement.
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

  /// `vectors` input vectors `x` (dense, `rows` each) read through tile
  /// `tileIndex` (into Model::tiles()) by `inst`. Counted from x: the
  /// synaptic operations (MACs of nonzero inputs, the events an
  /// event-driven array sees), and a pulsed tile's pulses and active rows.
  void chargeMvm(const artifact::Instruction &inst, int tileIndex,
                 uint64_t vectors, const float *x, int64_t rows);
  /// A LIF layer (`inst`, cim.lif): `vectors` vectors of `neurons` over
  /// `steps`, which fired `spikes`; on the columns' neurons (`onNeurons`)
  /// a neuron update per neuron and step, else four digital operations
  /// (leak, integrate, compare, reset).
  void chargeLIF(const artifact::Instruction &inst, bool onNeurons,
                 uint64_t neurons, uint64_t steps, uint64_t vectors,
                 uint64_t spikes);
  /// An analog ODE solve by `inst` of `vectors` state vectors of `state`
  /// elements over `evaluations` evaluations of f.
  void chargeAnalogODE(const artifact::Instruction &inst, uint64_t state,
                       uint64_t evaluations, uint64_t vectors);
  /// An instruction the compiler marked (its `charge`), by its output.
  void chargeMarked(const artifact::Instruction &inst, const Tensor &output);

  /// Everything charged so far.
  macro::Cost total() const;

private:
  struct TileInfo {
    macro::TileRead read;
    macro::CellFigures figures;
    macro::CostLedger::ArrayId array;
  };
  unsigned lanes_ = 1;
  macro::CellFigures digitalUnit_; // the default array's figures
  std::vector<TileInfo> tiles_;    // by index into Model::tiles()
  mutable std::mutex mutex_;
  macro::CostLedger ledger_;
};

} // namespace cim::rt

#endif // CIMRT_SRC_INTERP_COSTCOUNTER_H
