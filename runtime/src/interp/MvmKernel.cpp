//===- MvmKernel.cpp - Matrix-vector products on the device -----*- C++ -*-===//
//
// cim.mvm: the one kernel that runs on the accelerator. Its input x has
// shape [..., K]; it takes x[..., row_offset : row_offset + tile.rows],
// flattens the leading dims into a batch, and asks the device for
// batch x tile.cols products against the tile programmed at session
// creation. A weight matrix larger than one array is split by the compiler
// into several tiles, each reading its own row range of x; partial sums are
// then added digitally (tosa.add) and column blocks concatenated. Binary
// neurons (bridge tiles) whose fan-in spans several tiles share charge
// instead: each group's MVM takes the previous group's charge as a second
// input, and the last group's neurons decide. Tiles of LIF columns do the
// same, and the last row block's charge goes to a cim.lif layer.
//
//===----------------------------------------------------------------------===//

#include "interp/CostCounter.h"
#include "interp/Kernels.h"

#include <climits>
#include <cstring>

namespace cim::rt {
namespace {

StatusOr<Tensor> runMvm(ExecContext &ctx,
                        const std::vector<const Tensor *> &in) {
  const Tensor &x = *in[0];
  const artifact::Tile &tile = ctx.artifact.tiles(ctx.inst.tileIndex);
  int64_t rows = tile.rows(), cols = tile.cols();
  int64_t offset = attrInt(*ctx.inst.proto, "row_offset");
  // A bias row (the tile's last) is driven by a constant 1, not by x.
  const bool biasRow = attrInt(*ctx.inst.proto, "bias_row", 0) != 0;
  const int64_t inputRows = rows - (biasRow ? 1 : 0);
  if (x.rank() == 0)
    return makeError(Code::InvalidArgument, "cim.mvm input is a scalar");
  int64_t k = x.dims().back();
  if (k < offset + inputRows)
    return makeError(Code::InvalidArgument, "input shape ",
                     shapeToString(x.dims()), " has last dim ", k,
                     " < row_offset ", offset, " + tile ", tile.id(), " rows ",
                     inputRows);
  int64_t batch = k == 0 ? 0 : x.numElements() / k;
  Shape od = x.dims();
  od.back() = cols;
  Tensor out = Tensor::zeros(DType::F32, od);
  if (batch == 0)
    return out;

  // The device wants dense [batch, rows]; copy only when x has other
  // columns around the tile's row range.
  const float *src = x.data<float>();
  std::vector<float> packed;
  if (offset != 0 || k != rows || biasRow) {
    packed.resize(size_t(batch * rows));
    for (int64_t b = 0; b < batch; ++b) {
      std::memcpy(&packed[b * rows], src + b * k + offset,
                  size_t(inputRows) * sizeof(float));
      if (biasRow)
        packed[b * rows + rows - 1] = 1.0f;
    }
    src = packed.data();
  }
  TileHandle handle = (*ctx.tileHandles)[ctx.inst.tileIndex];
  if (tile.bridge() || tile.lif()) {
    // Binary or LIF neurons: the charge of the previous groups (if any)
    // joins this tile's before its comparators decide or its charge goes
    // on.
    const float *carry = in.size() > 1 ? in[1]->data<float>() : nullptr;
    CIM_TRY(ctx.device->mvmShared(handle, src, carry, batch,
                                  out.mutableData<float>()));
  } else {
    CIM_TRY(ctx.device->mvm(handle, src, batch, out.mutableData<float>()));
  }
  ctx.mvmCount += uint64_t(batch);
  if (ctx.costs)
    ctx.costs->chargeMvm(*ctx.inst.proto, ctx.inst.tileIndex, uint64_t(batch),
                         src, rows);
  return out;
}

Status verifyMvm(VerifyContext &ctx) {
  int64_t id = attrInt(ctx.inst, "tile");
  auto it = id < 0 || id > int64_t(UINT32_MAX)
                ? ctx.tileIndexById.end()
                : ctx.tileIndexById.find(uint32_t(id));
  if (it == ctx.tileIndexById.end())
    return makeError(Code::DataLoss, ctx.path, ".attrs.tile: no tile with id ",
                     id, " in tiles");
  ctx.tileIndex = it->second;
  const artifact::Tile &tile = ctx.artifact.tiles(it->second);
  int64_t offset = attrInt(ctx.inst, "row_offset");
  if (offset < 0 || offset > int64_t(INT32_MAX))
    return makeError(Code::DataLoss, ctx.path, ".attrs.row_offset: ", offset,
                     " is out of range");
  const Shape &xd = ctx.inputs[0]->dims;
  if (xd.empty())
    return makeError(Code::DataLoss, ctx.path, ".inputs[0]: value ",
                     ctx.inputs[0]->id, " is a scalar; cim.mvm needs [..., K]");
  int64_t inputRows =
      int64_t(tile.rows()) - (attrInt(ctx.inst, "bias_row", 0) ? 1 : 0);
  if (xd.back() >= 0 && xd.back() < offset + inputRows)
    return makeError(Code::DataLoss, ctx.path, ".inputs[0]: value ",
                     ctx.inputs[0]->id, " has last dim ", xd.back(),
                     " < row_offset ", offset, " + tile ", tile.id(), " rows ",
                     inputRows);
  if (ctx.inputs.size() > 1) {
    if (!tile.bridge() && !tile.lif())
      return makeError(Code::DataLoss, ctx.path,
                       ".inputs[1]: a carried charge joins bridge tiles "
                       "and LIF columns only, and tile ",
                       tile.id(), " is neither");
    if (ctx.inputs[1]->dims != ctx.output->dims)
      return makeError(Code::DataLoss, ctx.path, ".inputs[1]: value ",
                       ctx.inputs[1]->id, " is declared ",
                       shapeToString(ctx.inputs[1]->dims),
                       " but the carried charge has the output's shape ",
                       shapeToString(ctx.output->dims));
  }
  const Shape &od = ctx.output->dims;
  if (od.size() != xd.size() ||
      (od.back() >= 0 && od.back() != int64_t(tile.cols())))
    return makeError(Code::DataLoss, ctx.path, ".outputs[0]: value ",
                     ctx.output->id, " is declared ", shapeToString(od),
                     " but cim.mvm on ", shapeToString(xd), " with tile ",
                     tile.id(), " (", tile.cols(), " cols) gives [...,",
                     tile.cols(), "]");
  return Status::ok();
}

} // namespace

void addMvmKernels(std::vector<KernelDef> &t) {
  KernelDef mvm{
      "cim.mvm",
      1,
      2, // the input, and a carried charge (bridges, LIF columns)
      {{"tile", AttrKind::Int, true},
       {"row_offset", AttrKind::Int, true},
       {"bias_row", AttrKind::Int, false}},
      TypeRule::F32,
      runMvm,
      verifyMvm};
  mvm.onDevice = true;
  t.push_back(mvm);
}

} // namespace cim::rt
