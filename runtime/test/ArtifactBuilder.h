//===- ArtifactBuilder.h - Build .cimx artifacts in tests -------*- C++ -*-===//
//
// Writes artifacts through the protobuf API the way the compiler will, so
// tests can exercise the runtime without the compiler: declare inputs,
// constants and instructions, encode weight matrices as differential tiles,
// and serialize; instructions with several outputs and with regions (the
// bodies of cim.loop / cim.scan) are built the same way. Also provides the
// canonical sample models used by the unit tests, the cim-run test and the
// hello sample, together with a float reference implementation of the dense
// ones, and the attributes of the ONNX recurrent node tests.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_TEST_ARTIFACTBUILDER_H
#define CIMRT_TEST_ARTIFACTBUILDER_H

#include "cimx.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cim::test {

using Dims = std::vector<int64_t>;

/// The id of an absent optional instruction input.
inline constexpr uint32_t kAbsent = 0xFFFFFFFF;

/// The declared type of a value.
struct VType {
  Dims dims;
  artifact::DataType dtype = artifact::F32;
};

/// One named attribute, as given to ArtifactBuilder::op.
struct Attr {
  std::string name;
  artifact::Attribute value;
};
Attr attrI(const std::string &name, int64_t v);
Attr attrF(const std::string &name, double v);
Attr attrS(const std::string &name, const std::string &v);
Attr attrInts(const std::string &name, const std::vector<int64_t> &v);
Attr attrFloats(const std::string &name, const std::vector<double> &v);
Attr attrStrings(const std::string &name, const std::vector<std::string> &v);

class ArtifactBuilder {
public:
  /// Starts an artifact for a target with the given array size and bits.
  explicit ArtifactBuilder(uint32_t arrayRows = 64, uint32_t arrayCols = 64,
                           uint32_t bitsPerCell = 0, uint32_t dacBits = 0,
                           uint32_t adcBits = 0);

  /// A fresh value of the given type (not yet defined).
  uint32_t value(const Dims &dims, artifact::DataType dtype = artifact::F32,
                 const std::string &name = "");
  /// A program input.
  uint32_t input(const std::string &name, const Dims &dims,
                 artifact::DataType dtype = artifact::F32);
  /// An f32 constant.
  uint32_t constant(const Dims &dims, const std::vector<float> &data);
  /// An i64 constant.
  uint32_t constantI64(const Dims &dims, const std::vector<int64_t> &data);
  /// An i1 constant (stored as 0/1 in i64_data).
  uint32_t constantBool(const Dims &dims, const std::vector<bool> &data);
  /// Appends `kernel(inputs; attrs)` defining a new value of `outDims`.
  uint32_t op(const std::string &kernel, const std::vector<uint32_t> &inputs,
              const Dims &outDims, const std::vector<Attr> &attrs = {},
              artifact::DataType outType = artifact::F32);
  /// Appends an instruction with several outputs and optional regions;
  /// returns the output ids.
  std::vector<uint32_t> opN(const std::string &kernel,
                            const std::vector<uint32_t> &inputs,
                            const std::vector<VType> &outputs,
                            const std::vector<Attr> &attrs = {},
                            std::vector<artifact::Region> regions = {});

  /// Starts a region: instructions appended until endRegion() go into it
  /// (regions nest). Constants always go to the program.
  void beginRegion();
  /// A new argument of the innermost open region.
  uint32_t regionArg(const Dims &dims, artifact::DataType dtype = artifact::F32);
  /// Closes the innermost region with `results`, to be passed to opN.
  artifact::Region endRegion(const std::vector<uint32_t> &results);
  /// Marks `id` as a program output named `name`.
  void output(uint32_t id, const std::string &name);

  /// Encodes a rows x cols row-major weight matrix as a differential tile:
  /// every column's scale = max|w|, g_pos = max(w,0)/scale, g_neg =
  /// max(-w,0)/scale, the weight bits of the target's first kind, and
  /// every ADC window [-adcFullScale, adcFullScale] (default: rows, the
  /// worst case).
  uint32_t tile(uint32_t rows, uint32_t cols, const std::vector<float> &w,
                float adcFullScale = 0);
  /// cim.mvm of `x` on `tile` reading rows [rowOffset, rowOffset+rows).
  uint32_t mvm(uint32_t x, uint32_t tileId, int64_t rowOffset,
               const Dims &outDims);

  artifact::Artifact &artifact() { return a_; }
  std::string serialize() const { return a_.SerializeAsString(); }

private:
  artifact::Artifact a_;
  std::vector<artifact::Region> open_; // regions being built
  uint32_t nextValue_ = 1;
  uint32_t nextTile_ = 0;
};

//===----------------------------------------------------------------------===//
// Sample models
//===----------------------------------------------------------------------===//

/// y = relu(x . W + b), x [?,5] (input "x"), W 5x3 on one tile, b [3].
artifact::Artifact makeDenseRelu();
/// The weights and bias of makeDenseRelu.
std::vector<float> denseReluWeights(); // 5x3 row-major
std::vector<float> denseReluBias();    // 3

/// y = x . W with x [?,8] and W 8x3 split over two 4-row tiles (target
/// array_rows = 4): mvm(x, t0, row_offset 0) + mvm(x, t1, row_offset 4).
artifact::Artifact makeSplitK();
std::vector<float> splitKWeights(); // 8x3 row-major

/// y = relu(x) with x [3,4,5] named "x", output "y" (ONNX test_relu).
artifact::Artifact makeRelu3d();
/// c = a . b with a [3,4], b [4,3] (ONNX test_matmul_2d).
artifact::Artifact makeMatmul2d();

/// ONNX test_loop11 as one cim.loop: inputs trip_count (I64 scalar), cond
/// (I1 scalar), y (F32 [1]); the body adds x[i] (x = [1..5]) to y and scans
/// it; outputs res_y [1] and res_scan [?,1].
artifact::Artifact makeLoopSum();
/// ONNX test_scan9_sum as one cim.scan: initial [2], x [3,2]; the body
/// adds each row to the state and scans the sum; outputs y [2], z [3,2].
artifact::Artifact makeScanSum();

/// One ONNX recurrent node test and the attributes of its model.onnx.
struct OnnxRecurrentCase {
  const char *test;   // directory under .../data/node
  const char *kernel; // cim.rnn / cim.gru / cim.lstm
  int64_t hiddenSize;
  int64_t layout;
};
/// The twelve ONNX RNN/GRU/LSTM node tests the runtime is checked against.
const std::vector<OnnxRecurrentCase> &onnxRecurrentCases();
/// The default activations of `kernel` for one direction.
std::vector<std::string> defaultActivations(const std::string &kernel);
/// A single-instruction artifact for `c`: program inputs named and shaped
/// like the test's input files (`inputs`, a prefix of the ONNX inputs;
/// sequence_lens declared I64), the other optional inputs absent, outputs
/// Y, Y_h (and Y_c) with dynamic dims.
artifact::Artifact
makeRecurrent(const OnnxRecurrentCase &c,
              const std::vector<std::pair<std::string, Dims>> &inputs);

/// A model over every element type for the cim-run test: inputs x F32 [?],
/// ids I64 [?], flag I1 []; outputs twice (I64 [?] = ids + ids),
/// positive (I1 [?] = x > 0 and flag), argmax (I64 [] of x).
artifact::Artifact makeTyped();

/// Float reference: y[b][c] = sum_k x[b][k] * w[k][c] (+ bias), relu'd if
/// asked; accumulates in double.
std::vector<float> referenceDense(const std::vector<float> &x, int64_t batch,
                                  int64_t k, int64_t n,
                                  const std::vector<float> &w,
                                  const std::vector<float> *bias, bool relu);

} // namespace cim::test

#endif // CIMRT_TEST_ARTIFACTBUILDER_H
