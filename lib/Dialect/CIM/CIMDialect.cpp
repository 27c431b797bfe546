//===- CIMDialect.cpp - CIM dialect registration ----------------*- C++ -*-===//
//
// Registers the cim dialect's attributes, types and operations, and holds the
// custom syntax of the tile type.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace cim;

/// Floating-point attribute parameters (conductances, neuron and integrator
/// figures) parse as plain decimal numbers.
template <>
struct mlir::FieldParser<llvm::APFloat> {
  static FailureOr<llvm::APFloat> parse(AsmParser &parser) {
    double value = 0;
    if (parser.parseFloat(value))
      return failure();
    return llvm::APFloat(value);
  }
};

#include "cim/Dialect/CIM/CIMDialect.cpp.inc"
#include "cim/Dialect/CIM/CIMEnums.cpp.inc"

namespace {

/// A tosa.reshape whose `new_shape` holds a dynamic-size marker where TOSA
/// spells an inferred dimension -1. MLIR 19's canonicalisation of a
/// transpose that only moves unit dimensions (a convolution's single
/// channel) copies the result type's shape, dynamic batch included, into
/// `new_shape`; one such entry becomes -1 (the runtime infers it). Several
/// are left as they are (the artifact check refuses them by name).
struct InferDynamicReshapeDim : RewritePattern {
  explicit InferDynamicReshapeDim(MLIRContext *context)
      : RewritePattern("tosa.reshape", /*benefit=*/1, context) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    auto shape = op->getAttrOfType<DenseI64ArrayAttr>("new_shape");
    if (!shape || llvm::count(shape.asArrayRef(), ShapedType::kDynamic) != 1 ||
        llvm::is_contained(shape.asArrayRef(), -1))
      return failure();
    SmallVector<int64_t> fixed(shape.asArrayRef());
    std::replace(fixed.begin(), fixed.end(), ShapedType::kDynamic, int64_t(-1));
    rewriter.modifyOpInPlace(op, [&] {
      op->setAttr("new_shape", rewriter.getDenseI64ArrayAttr(fixed));
    });
    return success();
  }
};

} // namespace

void CIMDialect::getCanonicalizationPatterns(RewritePatternSet &results) const {
  results.add<InferDynamicReshapeDim>(getContext());
}

#define GET_ATTRDEF_CLASSES
#include "cim/Dialect/CIM/CIMAttributes.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "cim/Dialect/CIM/CIMTypes.cpp.inc"

void CIMDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cim/Dialect/CIM/CIMAttributes.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "cim/Dialect/CIM/CIMTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "cim/Dialect/CIM/CIMOps.cpp.inc"
      >();
}

/// Folded shape computations become arith.constant ops.
Operation *CIMDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return builder.create<arith::ConstantOp>(loc, type, typed);
}

//===----------------------------------------------------------------------===//
// TileType: `!cim.tile<ROWSxCOLS, CELL>`
//===----------------------------------------------------------------------===//

Type TileType::parse(AsmParser &parser) {
  SmallVector<int64_t, 2> dims;
  StringRef cellName;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() ||
      parser.parseDimensionList(dims, /*allowDynamic=*/false,
                                /*withTrailingX=*/false) ||
      parser.parseComma() || parser.parseKeyword(&cellName) ||
      parser.parseGreater())
    return {};
  if (dims.size() != 2) {
    parser.emitError(loc, "expected ROWSxCOLS in tile type");
    return {};
  }
  std::optional<CellTech> cell = symbolizeCellTech(cellName);
  if (!cell) {
    parser.emitError(loc, "unknown cell technology '") << cellName << "'";
    return {};
  }
  return parser.getChecked<TileType>(loc, parser.getContext(), dims[0],
                                     dims[1], *cell);
}

void TileType::print(AsmPrinter &printer) const {
  printer << "<" << getRows() << "x" << getCols() << ", "
          << stringifyCellTech(getCell()) << ">";
}

LogicalResult TileType::verify(function_ref<InFlightDiagnostic()> emitError,
                               unsigned rows, unsigned cols, CellTech) {
  if (rows == 0 || cols == 0)
    return emitError() << "tile must have at least one row and one column";
  return success();
}
