//===- ArtifactBuilder.h - Build .cimx artifacts in tests -------*- C++ -*-===//
//
// Writes artifacts through the protobuf API the way the compiler will, so
// tests can exercise the runtime without the compiler: declare inputs,
// constants and instructions, encode weight matrices as differential tiles,
// and serialize. Also provides the canonical sample models used by the unit
// tests, the cim-run test and the hello sample, together with a float
// reference implementation of each.
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

/// One named attribute, as given to ArtifactBuilder::op.
struct Attr {
  std::string name;
  artifact::Attribute value;
};
Attr attrI(const std::string &name, int64_t v);
Attr attrF(const std::string &name, double v);
Attr attrS(const std::string &name, const std::string &v);
Attr attrInts(const std::string &name, const std::vector<int64_t> &v);

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
  /// Appends `kernel(inputs; attrs)` defining a new value of `outDims`.
  uint32_t op(const std::string &kernel, const std::vector<uint32_t> &inputs,
              const Dims &outDims, const std::vector<Attr> &attrs = {},
              artifact::DataType outType = artifact::F32);
  /// Marks `id` as a program output named `name`.
  void output(uint32_t id, const std::string &name);

  /// Encodes a rows x cols row-major weight matrix as a differential tile:
  /// scale = max|w|, g_pos = max(w,0)/scale, g_neg = max(-w,0)/scale,
  /// adc_full_scale = `adcFullScale` (default: rows, the worst case).
  uint32_t tile(uint32_t rows, uint32_t cols, const std::vector<float> &w,
                float adcFullScale = 0);
  /// cim.mvm of `x` on `tile` reading rows [rowOffset, rowOffset+rows).
  uint32_t mvm(uint32_t x, uint32_t tileId, int64_t rowOffset,
               const Dims &outDims);

  artifact::Artifact &artifact() { return a_; }
  std::string serialize() const { return a_.SerializeAsString(); }

private:
  artifact::Artifact a_;
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

/// Float reference: y[b][c] = sum_k x[b][k] * w[k][c] (+ bias), relu'd if
/// asked; accumulates in double.
std::vector<float> referenceDense(const std::vector<float> &x, int64_t batch,
                                  int64_t k, int64_t n,
                                  const std::vector<float> &w,
                                  const std::vector<float> *bias, bool relu);

} // namespace cim::test

#endif // CIMRT_TEST_ARTIFACTBUILDER_H
