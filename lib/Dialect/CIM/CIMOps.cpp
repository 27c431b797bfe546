//===- CIMOps.cpp - CIM attribute and operation verifiers -------*- C++ -*-===//
//
// Invariants of the cim dialect: a target and its readouts must describe
// buildable hardware, a tile must fit an array of the module's target, and
// the shapes of products and MVMs must agree.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace cim;

TargetAttr cim::lookupTarget(Operation *op) {
  auto module = isa<ModuleOp>(op) ? cast<ModuleOp>(op)
                                  : op->getParentOfType<ModuleOp>();
  for (; module; module = module->getParentOfType<ModuleOp>())
    if (auto target = module->getAttrOfType<TargetAttr>(
            CIMDialect::getTargetAttrName()))
      return target;
  return {};
}

FailureOr<TargetAttr> cim::requireTarget(ModuleOp module) {
  if (TargetAttr target = lookupTarget(module))
    return target;
  return module.emitError("module has no 'cim.target' attribute; compile "
                          "with --target or attach a #cim.target");
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

static constexpr unsigned kMaxConverterBits = 16;
static constexpr unsigned kMaxBitsPerCell = 8;

LogicalResult ADCReadoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                     unsigned bits) {
  if (bits == 0 || bits > kMaxConverterBits)
    return emitError() << "ADC bits must be in [1, " << kMaxConverterBits
                       << "], got " << bits;
  return success();
}

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name, unsigned rows, unsigned cols,
                                 CellTech, unsigned bitsPerCell,
                                 unsigned dacBits, unsigned adcBits) {
  if (rows == 0 || cols == 0)
    return emitError() << "target '" << name
                       << "': arrays need at least one row and one column";
  if (cols < 2)
    return emitError() << "target '" << name
                       << "': arrays need two columns for differential weights";
  if (bitsPerCell == 0 || bitsPerCell > kMaxBitsPerCell)
    return emitError() << "target '" << name << "': bits_per_cell must be in [1, "
                       << kMaxBitsPerCell << "], got " << bitsPerCell;
  if (dacBits == 0 || dacBits > kMaxConverterBits)
    return emitError() << "target '" << name << "': dac_bits must be in [1, "
                       << kMaxConverterBits << "], got " << dacBits;
  if (adcBits == 0 || adcBits > kMaxConverterBits)
    return emitError() << "target '" << name << "': adc_bits must be in [1, "
                       << kMaxConverterBits << "], got " << adcBits;
  return success();
}

unsigned TargetAttr::physicalCols(unsigned logicalCols,
                                  WeightEncoding enc) const {
  switch (enc) {
  case WeightEncoding::differential:
    return 2 * logicalCols;
  }
  llvm_unreachable("unknown weight encoding");
}

unsigned TargetAttr::maxLogicalCols(WeightEncoding enc) const {
  switch (enc) {
  case WeightEncoding::differential:
    return getCols() / 2;
  }
  llvm_unreachable("unknown weight encoding");
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

/// Numpy broadcast of two batch shapes; fails on a static mismatch.
static FailureOr<SmallVector<int64_t>> broadcastBatch(ArrayRef<int64_t> a,
                                                      ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == 1)
      out[i] = db;
    else if (db == 1)
      out[i] = da;
    else if (ShapedType::isDynamic(da))
      out[i] = db;
    else if (ShapedType::isDynamic(db) || da == db)
      out[i] = da;
    else
      return failure();
  }
  return out;
}

/// Two dims agree unless both are static and differ.
static bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static LogicalResult verifyShapeMatches(Operation *op, ArrayRef<int64_t> expected,
                                        ShapedType actual) {
  if (actual.getRank() != static_cast<int64_t>(expected.size()))
    return op->emitOpError("result rank ")
           << actual.getRank() << " does not match expected rank "
           << expected.size();
  for (auto [i, e] : llvm::enumerate(expected))
    if (!dimsCompatible(e, actual.getDimSize(i)))
      return op->emitOpError("result dimension ")
             << i << " is " << actual.getDimSize(i) << ", expected " << e;
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>> cim::inferMatMulShape(ArrayRef<int64_t> lhs,
                                                      ArrayRef<int64_t> rhs) {
  if (lhs.empty() || rhs.empty())
    return failure();
  SmallVector<int64_t> l(lhs), r(rhs);
  bool lhsVector = l.size() == 1, rhsVector = r.size() == 1;
  if (lhsVector)
    l.insert(l.begin(), 1);
  if (rhsVector)
    r.push_back(1);
  if (!dimsCompatible(l.back(), r[r.size() - 2]))
    return failure();
  FailureOr<SmallVector<int64_t>> batch = broadcastBatch(
      ArrayRef<int64_t>(l).drop_back(2), ArrayRef<int64_t>(r).drop_back(2));
  if (failed(batch))
    return failure();
  SmallVector<int64_t> out = *batch;
  if (!lhsVector)
    out.push_back(l[l.size() - 2]);
  if (!rhsVector)
    out.push_back(r.back());
  return out;
}

LogicalResult MatMulOp::verify() {
  auto lhs = getLhs().getType(), rhs = getRhs().getType();
  if (lhs.getElementType() != rhs.getElementType() ||
      lhs.getElementType() != getResult().getType().getElementType())
    return emitOpError("operands and result must have one element type");
  FailureOr<SmallVector<int64_t>> shape =
      inferMatMulShape(lhs.getShape(), rhs.getShape());
  if (failed(shape))
    return emitOpError("operand shapes ")
           << lhs << " and " << rhs << " cannot be multiplied";
  return verifyShapeMatches(*this, *shape, getResult().getType());
}

//===----------------------------------------------------------------------===//
// LinearOp
//===----------------------------------------------------------------------===//

/// Checks `input [..., K] x [K, N] -> [..., N]` for linear and MVM ops.
static LogicalResult verifyRowProduct(Operation *op, ShapedType input,
                                      ShapedType result, int64_t rowsUsed,
                                      int64_t rowOffset, int64_t cols) {
  if (input.getRank() < 1)
    return op->emitOpError("input must have rank at least 1");
  int64_t k = input.getShape().back();
  if (!ShapedType::isDynamic(k) && rowOffset + rowsUsed > k)
    return op->emitOpError("reads input rows [")
           << rowOffset << ", " << rowOffset + rowsUsed
           << ") but the input has " << k;
  SmallVector<int64_t> expected(input.getShape().drop_back());
  expected.push_back(cols);
  return verifyShapeMatches(op, expected, result);
}

LogicalResult LinearOp::verify() {
  auto weight = getWeight().getType();
  if (weight.getRank() != 2 || !weight.hasStaticShape())
    return emitOpError("weight must be a static 2-D matrix, got ") << weight;
  auto input = getInput().getType();
  if (input.getRank() >= 1 && !ShapedType::isDynamic(input.getShape().back()) &&
      input.getShape().back() != weight.getDimSize(0))
    return emitOpError("input has ")
           << input.getShape().back() << " features but the weight has "
           << weight.getDimSize(0) << " rows";
  return verifyRowProduct(*this, input, getResult().getType(),
                          weight.getDimSize(0), 0, weight.getDimSize(1));
}

//===----------------------------------------------------------------------===//
// ProgramTileOp
//===----------------------------------------------------------------------===//

LogicalResult ProgramTileOp::verify() {
  auto weights = getWeights().getType();
  TileType tile = getTile().getType();
  if (weights.getRank() != 2 || !weights.hasStaticShape())
    return emitOpError("weights must be a static 2-D block, got ") << weights;
  if (weights.getDimSize(0) != tile.getRows() ||
      weights.getDimSize(1) != tile.getCols())
    return emitOpError("weights ")
           << weights << " do not match tile " << tile;
  TargetAttr target = lookupTarget(*this);
  if (!target)
    return success();
  if (tile.getCell() != target.getCell())
    return emitOpError("tile cell technology '")
           << stringifyCellTech(tile.getCell()) << "' is not the target's '"
           << stringifyCellTech(target.getCell()) << "'";
  if (tile.getRows() > target.getRows())
    return emitOpError("tile has ")
           << tile.getRows() << " rows but the target's arrays have "
           << target.getRows();
  unsigned needed = target.physicalCols(tile.getCols(), getEncoding());
  if (needed > target.getCols())
    return emitOpError("tile needs ")
           << needed << " array columns (" << stringifyWeightEncoding(getEncoding())
           << ") but the target's arrays have " << target.getCols();
  return success();
}

//===----------------------------------------------------------------------===//
// MVMOp
//===----------------------------------------------------------------------===//

LogicalResult MVMOp::verify() {
  TileType tile = getTile().getType();
  return verifyRowProduct(*this, getInput().getType(), getResult().getType(),
                          tile.getRows(), getRowOffsetAttr().getInt(),
                          tile.getCols());
}

#define GET_OP_CLASSES
#include "cim/Dialect/CIM/CIMOps.cpp.inc"
