//===- MatmulKernels.cpp - Digital matrix multiplication --------*- C++ -*-===//
//
// cim.matmul: a matrix product computed digitally, for products the
// compiler did not map to tiles (both operands dynamic, attention scores,
// and so on). Semantics are numpy.matmul / ONNX MatMul: 1-D operands are
// promoted to a row (left) or column (right) vector and the added dim is
// removed again; leading batch dims broadcast. Each matrix product is one
// float32 GEMM (OpenBLAS).
//
//===----------------------------------------------------------------------===//

#include "interp/Kernels.h"

#include <cblas.h>

#include <limits>

namespace cim::rt {
namespace {

StatusOr<Tensor> runMatmul(ExecContext &,
                           const std::vector<const Tensor *> &in) {
  const Tensor &a = *in[0];
  const Tensor &b = *in[1];
  if (a.rank() == 0 || b.rank() == 0)
    return makeError(Code::InvalidArgument, "matmul of a scalar (shapes ",
                     shapeToString(a.dims()), " and ", shapeToString(b.dims()),
                     ")");
  bool aVec = a.rank() == 1, bVec = b.rank() == 1;
  Shape ad = aVec ? Shape{1, a.dims()[0]} : a.dims();
  Shape bd = bVec ? Shape{b.dims()[0], 1} : b.dims();
  int64_t m = ad[ad.size() - 2], k = ad[ad.size() - 1];
  int64_t kb = bd[bd.size() - 2], n = bd[bd.size() - 1];
  if (k != kb)
    return makeError(Code::InvalidArgument, "matmul of ",
                     shapeToString(a.dims()), " and ", shapeToString(b.dims()),
                     ": contraction dims differ (", k, " vs ", kb, ")");
  Shape batchA(ad.begin(), ad.end() - 2), batchB(bd.begin(), bd.end() - 2);
  CIM_ASSIGN_OR_RETURN(Shape batch, broadcastShapes(batchA, batchB));

  Shape od = batch;
  if (!aVec)
    od.push_back(m);
  if (!bVec)
    od.push_back(n);
  Tensor out = Tensor::zeros(DType::F32, od);
  int64_t batches = elementCount(batch);
  if (out.numElements() == 0)
    return out;

  // Batch strides in units of whole matrices.
  std::vector<int64_t> sa = broadcastStrides(batchA, batch);
  std::vector<int64_t> sb = broadcastStrides(batchB, batch);
  const float *pa = a.data<float>();
  const float *pb = b.data<float>();
  float *pc = out.mutableData<float>();
  constexpr int64_t kBlasMax = std::numeric_limits<int>::max();
  if (m > kBlasMax || n > kBlasMax || k > kBlasMax)
    return makeError(Code::InvalidArgument, "matmul of ",
                     shapeToString(a.dims()), " and ", shapeToString(b.dims()),
                     ": a dim exceeds 2^31 - 1");
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t bi = 0; bi < batches; ++bi) {
    int64_t offA = 0, offB = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      offA += idx[d] * sa[d];
      offB += idx[d] * sb[d];
    }
    const float *A = pa + offA * m * k;
    const float *B = pb + offB * k * n;
    float *C = pc + bi * m * n;
    if (k > 0) // else C stays zero
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(m), int(n),
                  int(k), 1.0f, A, int(k), B, int(n), 0.0f, C, int(n));
    for (size_t d = batch.size(); d-- > 0;) {
      if (++idx[d] < batch[d])
        break;
      idx[d] = 0;
    }
  }
  return out;
}

Status verifyMatmul(VerifyContext &ctx) {
  size_t ra = ctx.inputs[0]->dims.size(), rb = ctx.inputs[1]->dims.size();
  if (ra == 0 || rb == 0)
    return makeError(Code::DataLoss, ctx.path,
                     ".inputs: cim.matmul operands must have rank >= 1 (got ",
                     ra, " and ", rb, ")");
  size_t rank = std::max(ra, rb);
  if (ra == 1 && rb == 1)
    rank = 0;
  else if (ra == 1 || rb == 1)
    rank -= 1;
  if (ctx.output->dims.size() != rank)
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " has rank ", ctx.output->dims.size(),
                     " but cim.matmul of ranks ", ra, " and ", rb,
                     " produces rank ", rank);
  return Status::ok();
}

} // namespace

void addMatmulKernels(std::vector<KernelDef> &t) {
  t.push_back({"cim.matmul", 2, 2, {}, TypeRule::F32, runMatmul, verifyMatmul});
}

} // namespace cim::rt
