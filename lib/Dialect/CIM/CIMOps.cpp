//===- CIMOps.cpp - CIM attribute and operation verifiers -------*- C++ -*-===//
//
// Invariants of the cim dialect: a target and its readouts must describe
// buildable hardware, a tile must fit an array of the module's target, and
// the shapes of products and MVMs must agree.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Limits.h"
#include "cim/Macro/Quantize.h"
#include "cim/Macro/Recurrent.h"
#include "cim/Macro/Rounding.h"
#include "cim/Macro/Slicing.h"
#include "cim/Macro/Windows.h"

#include "llvm/ADT/StringSwitch.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

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
  return module.emitError(
      "module has no 'cim.target' attribute; attach a #cim.target, run "
      "cim-set-target first (cim-opt --cim-set-target=\"target=NAME\") or "
      "compile with cim-compile --target");
}

std::optional<float> cim::splatF32(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<float>();
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

using macro::kMaxBitsPerCell;
using macro::kMaxConverterBits;
using macro::kMaxRampBits;
using macro::kMaxWeightBits;

LogicalResult ADCReadoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                     unsigned bits) {
  if (bits == 0 || bits > kMaxConverterBits)
    return emitError() << "ADC bits must be in [1, " << kMaxConverterBits
                       << "], got " << bits;
  return success();
}

LogicalResult
ArrayKindAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      StringRef name, CellTech cell, unsigned rows, unsigned cols,
                      unsigned bitsPerCell, unsigned count,
                      WeightEncoding encoding, unsigned weightBits,
                      APFloat gMin, APFloat gMax, unsigned spareRows,
                      unsigned spareCols) {
  double gMinUs = gMin.convertToDouble(), gMaxUs = gMax.convertToDouble();
  if (rows == 0 || cols == 0)
    return emitError() << "array '" << name
                       << "': arrays need at least one row and one column";
  if (spareRows >= rows)
    return emitError() << "array '" << name << "': spare_rows must be less "
                       << "than rows (" << rows << "), got " << spareRows;
  if (spareCols >= cols)
    return emitError() << "array '" << name << "': spare_cols must be less "
                       << "than cols (" << cols << "), got " << spareCols;
  // Weights use the lines the spares leave.
  cols = macro::usableLines(cols, spareCols);
  if (cols < 2)
    return emitError() << "array '" << name << "': arrays need two columns for "
                       << stringifyWeightEncoding(encoding) << " weights"
                       << (spareCols ? " beside their spares" : "");
  if (bitsPerCell == 0 || bitsPerCell > kMaxBitsPerCell)
    return emitError() << "array '" << name << "': bits_per_cell must be in [1, "
                       << kMaxBitsPerCell << "], got " << bitsPerCell;
  if (count == 0)
    return emitError() << "array '" << name << "': count must be positive";
  if (weightBits > kMaxWeightBits)
    return emitError() << "array '" << name << "': weight_bits must be at most "
                       << kMaxWeightBits << ", got " << weightBits;
  unsigned slices = macro::weightSlices(weightBits, bitsPerCell);
  if (macro::physicalColumns(1, slices, encoding == WeightEncoding::offset) >
      cols)
    return emitError() << "array '" << name << "': " << cols
                       << (spareCols ? " usable" : "")
                       << " columns cannot hold one weight of " << weightBits
                       << " bits in " << slices << " slices";
  if (gMinUs != 0.0 || gMaxUs != 0.0) {
    if (cell != CellTech::rram)
      return emitError() << "array '" << name << "': a conductance range is for "
                         << "analog (rram) cells, not "
                         << stringifyCellTech(cell);
    if (!(gMinUs >= 0.0 && gMinUs < gMaxUs))
      return emitError() << "array '" << name << "': conductance range needs "
                         << "0 <= g_min < g_max, got [" << gMinUs << ", "
                         << gMaxUs << "] uS";
  }
  return success();
}

LogicalResult LIFAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                              APFloat thresholdF, APFloat leakF, ResetMode) {
  double threshold = thresholdF.convertToDouble(),
         leak = leakF.convertToDouble();
  if (!(threshold > 0.0))
    return emitError() << "LIF threshold must be positive, got " << threshold;
  if (!(leak >= 0.0 && leak < 1.0))
    return emitError() << "LIF leak must be in [0, 1), got " << leak;
  return success();
}

LogicalResult
IntegratorAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       APFloat gainMaxF, APFloat leakF, APFloat vSatF,
                       APFloat noiseF) {
  double gainMax = gainMaxF.convertToDouble(), leak = leakF.convertToDouble(),
         vSat = vSatF.convertToDouble(), noise = noiseF.convertToDouble();
  if (!(gainMax > 0.0))
    return emitError() << "integrator gain_max must be positive, got "
                       << gainMax;
  if (!(leak >= 0.0 && leak < 1.0))
    return emitError() << "integrator leak must be in [0, 1), got " << leak;
  if (!(vSat > 0.0))
    return emitError() << "integrator v_sat must be positive, got " << vSat;
  if (!(noise >= 0.0))
    return emitError() << "integrator noise must be non-negative, got "
                       << noise;
  return success();
}

unsigned ArrayKindAttr::physicalCols(unsigned logicalCols,
                                     unsigned slices) const {
  return macro::physicalColumns(logicalCols, slices ? slices : getSlices(),
                                getEncoding() == WeightEncoding::offset);
}

unsigned ArrayKindAttr::maxLogicalCols(unsigned slices) const {
  if (slices == 0)
    slices = getSlices();
  switch (getEncoding()) {
  case WeightEncoding::differential:
    return usableCols() / (2 * slices);
  case WeightEncoding::offset:
    return (usableCols() - 1) / slices;
  }
  llvm_unreachable("unknown weight encoding");
}

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name, ArrayAttr arrays,
                                 unsigned dacBits, unsigned adcBits,
                                 DictionaryAttr costs, unsigned inputBits,
                                 ADCKind adcKind, unsigned macros,
                                 unsigned digitalLanes, LIFAttr, IntegratorAttr,
                                 bool bridgeNeurons) {
  if (!arrays || arrays.empty())
    return emitError() << "target '" << name << "': needs at least one array kind";
  SmallVector<CellTech> seen;
  for (Attribute a : arrays) {
    auto kind = llvm::dyn_cast<ArrayKindAttr>(a);
    if (!kind)
      return emitError() << "target '" << name
                         << "': arrays must be #cim.array attributes";
    if (llvm::is_contained(seen, kind.getCell()))
      return emitError() << "target '" << name << "': more than one "
                         << stringifyCellTech(kind.getCell()) << " array kind";
    seen.push_back(kind.getCell());
  }
  if (dacBits == 0 || dacBits > kMaxConverterBits)
    return emitError() << "target '" << name << "': dac_bits must be in [1, "
                       << kMaxConverterBits << "], got " << dacBits;
  if (adcBits == 0 || adcBits > kMaxConverterBits)
    return emitError() << "target '" << name << "': adc_bits must be in [1, "
                       << kMaxConverterBits << "], got " << adcBits;
  if ((adcKind == ADCKind::sign) != (adcBits == 1))
    return emitError() << "target '" << name << "': "
                       << (adcBits == 1 ? "a 1-bit ADC is a sign comparator "
                                          "(adc_kind = sign)"
                                        : "a sign comparator has 1 bit")
                       << ", got a " << stringifyADCKind(adcKind) << " ADC of "
                       << adcBits << " bits";
  if (bridgeNeurons &&
      llvm::none_of(arrays, [](Attribute a) {
        auto kind = llvm::cast<ArrayKindAttr>(a);
        return kind.getCell() == CellTech::rram &&
               kind.getEncoding() == WeightEncoding::differential;
      }))
    return emitError() << "target '" << name
                       << "': bridge_neurons need RRAM arrays with a "
                          "differential encoding (a bridge is a pair of cells)";
  if (macros == 0 || digitalLanes == 0)
    return emitError() << "target '" << name
                       << "': macros and digital_lanes must be positive";
  if (inputBits > kMaxConverterBits)
    return emitError() << "target '" << name << "': input_bits must be at most "
                       << kMaxConverterBits << ", got " << inputBits;
  if (costs)
    for (NamedAttribute cost : costs)
      if (!llvm::isa<FloatAttr, IntegerAttr>(cost.getValue()))
        return emitError() << "target '" << name << "': cost '"
                           << cost.getName().getValue() << "' is not a number";
  return success();
}

TargetAttr TargetAttr::withMacros(unsigned macros) const {
  return TargetAttr::get(getContext(), getName(), getArrays(), getDacBits(),
                         getAdcBits(), getCosts(), getInputBits(),
                         getAdcKind(), macros, getDigitalLanes(), getLif(),
                         getIntegrator(), getBridgeNeurons());
}

ArrayKindAttr TargetAttr::lookupArray(CellTech cell) const {
  for (Attribute a : getArrays())
    if (auto kind = llvm::cast<ArrayKindAttr>(a); kind.getCell() == cell)
      return kind;
  return {};
}

ArrayKindAttr TargetAttr::getDefaultArray() const {
  return llvm::cast<ArrayKindAttr>(getArrays()[0]);
}

double TargetAttr::getCost(StringRef key, double fallback) const {
  if (!getCosts())
    return fallback;
  Attribute v = getCosts().get(key);
  if (auto f = llvm::dyn_cast_or_null<FloatAttr>(v))
    return f.getValueAsDouble();
  if (auto i = llvm::dyn_cast_or_null<IntegerAttr>(v))
    return double(i.getInt());
  return fallback;
}

//===----------------------------------------------------------------------===//
// Shape helpers
//===----------------------------------------------------------------------===//

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
  SmallVector<int64_t> out;
  if (!OpTrait::util::getBroadcastedShape(ArrayRef<int64_t>(l).drop_back(2),
                                          ArrayRef<int64_t>(r).drop_back(2),
                                          out))
    return failure();
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
  int64_t rows = weight.getDimSize(0) - (getBiasRow() ? 1 : 0);
  auto input = getInput().getType();
  if (input.getRank() >= 1 && !ShapedType::isDynamic(input.getShape().back()) &&
      input.getShape().back() != rows)
    return emitOpError("input has ")
           << input.getShape().back() << " features but the weight has "
           << rows << " rows" << (getBiasRow() ? " besides its bias row" : "");
  if (auto sign = dyn_cast<SignReadoutAttr>(getReadout())) {
    if (sign.size() != uint64_t(weight.getDimSize(1)))
      return emitOpError("has ") << sign.size() << " binary neurons for "
                                 << weight.getDimSize(1) << " weight columns";
    if (getBiasRow())
      return emitOpError("has binary neurons and a bias row (their "
                         "threshold is the comparator's reference)");
  }
  if (isa<ChargeReadoutAttr>(getReadout()) && getBiasRow())
    return emitOpError("leaves its charge to LIF neurons and has a bias row "
                       "(the neurons take the bias as a current)");
  return verifyRowProduct(*this, input, getResult().getType(), rows, 0,
                          weight.getDimSize(1));
}

LogicalResult SignReadoutAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, unsigned fanIn,
    DenseF32ArrayAttr pre, DenseF32ArrayAttr scale, DenseF32ArrayAttr bias,
    DenseF32ArrayAttr cmp, APFloat tie, DenseF64ArrayAttr reference) {
  if (fanIn == 0)
    return emitError() << "binary neurons need a positive fan_in";
  int64_t n = scale.size();
  if (n == 0 || pre.size() != n || bias.size() != n || cmp.size() != n ||
      reference.size() != n)
    return emitError() << "binary neurons need one pre, scale, bias, cmp "
                          "and reference per column, got "
                       << pre.size() << ", " << n << ", " << bias.size()
                       << ", " << cmp.size() << " and " << reference.size();
  for (double r : reference.asArrayRef())
    if (!std::isfinite(r))
      return emitError() << "a binary neuron's reference must be finite, got "
                         << r;
  for (DenseF32ArrayAttr a : {pre, scale, bias, cmp})
    for (float v : a.asArrayRef())
      if (!std::isfinite(v))
        return emitError() << "binary neuron steps must be finite, got " << v;
  double t = tie.convertToDouble();
  if (t != 0 && t != 1 && t != -1)
    return emitError() << "a binary neuron's tie output is 0, 1 or -1, got "
                       << t;
  return success();
}

macro::BinaryNeuron SignReadoutAttr::neuron(size_t c) const {
  return {getPre()[c],    getScale()[c],
          getBias()[c],   getCmp()[c],
          float(getTie().convertToDouble()), getReference()[c]};
}

SignReadoutAttr SignReadoutAttr::slice(size_t first, size_t count) const {
  MLIRContext *context = getContext();
  auto part = [&](DenseF32ArrayAttr a) {
    return DenseF32ArrayAttr::get(context, a.asArrayRef().slice(first, count));
  };
  return SignReadoutAttr::get(context, getFanIn(), part(getPre()),
                              part(getScale()), part(getBias()),
                              part(getCmp()), getTie(),
                              DenseF64ArrayAttr::get(
                                  context,
                                  getReference().asArrayRef().slice(first,
                                                                    count)));
}

LogicalResult
RampReadoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        unsigned bits, ArrayRef<macro::RampStep> steps,
                        APFloat lo, APFloat hi, DenseF64ArrayAttr thresholds,
                        DenseF64ArrayAttr levels, DenseF64ArrayAttr, APFloat,
                        APFloat) {
  if (bits == 0 || bits > kMaxRampBits)
    return emitError() << "ramp ADC bits must be in [1, " << kMaxRampBits
                       << "], got " << bits;
  if (!(lo.convertToDouble() < hi.convertToDouble()))
    return emitError() << "ramp range needs lo < hi";
  if (thresholds.size() + 1 != levels.size())
    return emitError() << "a ramp needs one more level than thresholds, got "
                       << thresholds.size() << " thresholds and "
                       << levels.size() << " levels";
  ArrayRef<double> t = thresholds.asArrayRef();
  for (size_t i = 1; i < t.size(); ++i)
    if (!(t[i - 1] <= t[i]))
      return emitError() << "ramp thresholds must ascend";
  if (steps.empty())
    return emitError() << "ramp function is empty";
  return success();
}

FailureOr<SmallVector<macro::RampStep>>
cim::parseRampSteps(AsmParser &parser) {
  using macro::RampStepKind;
  SmallVector<macro::RampStep> steps;
  auto parseStep = [&]() -> ParseResult {
    SMLoc loc = parser.getCurrentLocation();
    StringRef name;
    if (parser.parseKeyword(&name))
      return failure();
    std::optional<RampStepKind> kind;
    for (int k = 0; k <= int(RampStepKind::Add); ++k)
      if (name == macro::rampStepName(RampStepKind(k)))
        kind = RampStepKind(k);
    if (!kind)
      return parser.emitError(loc) << "unknown ramp function step '" << name
                                   << "'";
    macro::RampStep step;
    step.kind = *kind;
    unsigned want = macro::rampStepArguments(*kind);
    SmallVector<double, 2> args;
    if (succeeded(parser.parseOptionalLParen())) {
      auto parseArg = [&]() { return parser.parseFloat(args.emplace_back()); };
      if (parser.parseCommaSeparatedList(parseArg) || parser.parseRParen())
        return failure();
    }
    if (args.size() != want)
      return parser.emitError(loc)
             << "ramp function step '" << name << "' needs " << want
             << " numeric argument(s), got " << args.size();
    step.a = want > 0 ? args[0] : 0.0;
    step.b = want > 1 ? args[1] : 0.0;
    steps.push_back(step);
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseStep))
    return failure();
  return steps;
}

void cim::printRampSteps(AsmPrinter &printer,
                         ArrayRef<macro::RampStep> steps) {
  raw_ostream &os = printer.getStream();
  // Arguments print as MLIR prints floats: digits that read back exactly.
  auto number = [&](double v) { printer.printFloat(APFloat(v)); };
  os << "[";
  llvm::interleaveComma(steps, os, [&](const macro::RampStep &step) {
    os << macro::rampStepName(step.kind);
    unsigned args = macro::rampStepArguments(step.kind);
    if (args == 0)
      return;
    os << "(";
    number(step.a);
    if (args == 2) {
      os << ", ";
      number(step.b);
    }
    os << ")";
  });
  os << "]";
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
  ArrayKindAttr array = target.lookupArray(tile.getCell());
  if (!array)
    return emitOpError("target '")
           << target.getName() << "' has no "
           << stringifyCellTech(tile.getCell()) << " arrays";
  if (getEncoding() != array.getEncoding())
    return emitOpError("encoding '")
           << stringifyWeightEncoding(getEncoding()) << "' is not the "
           << stringifyCellTech(tile.getCell()) << " arrays' '"
           << stringifyWeightEncoding(array.getEncoding()) << "'";
  if (tile.getRows() > array.usableRows())
    return emitOpError("tile has ")
           << tile.getRows() << " rows but the target's "
           << stringifyCellTech(tile.getCell()) << " arrays have "
           << array.usableRows()
           << (array.getSpareRows() ? " beside their spares" : "");
  unsigned weightBits = getWeightBits().value_or(array.getWeightBits());
  if (weightBits > macro::kMaxWeightBits)
    return emitOpError("weight_bits ")
           << weightBits << " exceeds " << macro::kMaxWeightBits;
  unsigned slices = getSlices(array);
  unsigned needed = macro::physicalColumns(
      tile.getCols(), slices, getEncoding() == WeightEncoding::offset);
  if (needed > array.usableCols())
    return emitOpError("tile needs ")
           << needed << " array columns (" << stringifyWeightEncoding(getEncoding())
           << ") but the target's " << stringifyCellTech(tile.getCell())
           << " arrays have " << array.usableCols()
           << (array.getSpareCols() ? " beside their spares" : "");
  if (std::optional<ArrayRef<double>> windows = getAdcWindows()) {
    size_t expected = 2 * size_t(slices) * size_t(tile.getCols());
    if (windows->size() != expected)
      return emitOpError("adc_windows has ")
             << windows->size() << " values; " << slices << " slices of "
             << tile.getCols() << " columns need " << expected
             << " (lo, hi pairs)";
    for (size_t i = 0; i < expected; i += 2)
      if (!std::isfinite((*windows)[i]) || !std::isfinite((*windows)[i + 1]) ||
          !((*windows)[i + 1] > (*windows)[i]))
        return emitOpError("adc_windows[")
               << i / 2 << "] = [" << (*windows)[i] << ", "
               << (*windows)[i + 1] << "] is not a finite, non-empty window";
  }
  if (std::optional<ArrayRef<double>> scales = getScales()) {
    int64_t cols = weights.getShape().back();
    if (int64_t(scales->size()) != cols)
      return emitOpError("scales has ")
             << scales->size() << " values for " << cols << " columns";
    DenseElementsAttr values;
    std::vector<double> largest(size_t(cols), 0.0);
    if (matchPattern(getWeights(), m_Constant(&values))) {
      SmallVector<float> w(values.getValues<float>());
      largest = macro::columnPeaks(w.data(), w.size(), size_t(cols));
    }
    for (auto [c, scale] : llvm::enumerate(*scales))
      if (!std::isfinite(scale) || !(scale > 0) ||
          scale < largest[c] * (1 - 1e-6))
        return emitOpError("scales[")
               << c << "] = " << scale
               << " is not a positive scale of at least the column's "
                  "largest |w| ("
               << largest[c] << ")";
  }
  if (std::optional<DenseIntElementsAttr> codes = getCodes()) {
    if (codes->getType().getShape() != weights.getShape())
      return emitOpError("codes ")
             << codes->getType() << " do not match the weights " << weights;
    bool offset = getEncoding() == WeightEncoding::offset;
    unsigned bits = array.getBitsPerCell();
    if (bits == 0)
      return emitOpError("codes need quantised cells (the ")
             << stringifyCellTech(tile.getCell())
             << " arrays have bits_per_cell 0)";
    int64_t i = 0;
    for (const APInt &code : codes->getValues<APInt>()) {
      if (!macro::validCode(code.getSExtValue(), bits, weightBits, offset))
        return emitOpError("codes[")
               << i << "] = " << code.getSExtValue() << " is not a code of "
               << int64_t(macro::weightLevels(bits, weightBits)) << " levels"
               << (offset ? " (odd, for offset cells)" : "");
      ++i;
    }
  }
  if (std::optional<ArrayRef<double>> means = getInputMeans()) {
    if (int64_t(means->size()) != tile.getRows())
      return emitOpError("input_means has ")
             << means->size() << " values for " << tile.getRows() << " rows";
    for (double m : *means)
      if (!std::isfinite(m))
        return emitOpError("input_means must be finite, got ") << m;
  }
  return success();
}

bool ProgramTileOp::readByBinaryNeurons() {
  return llvm::any_of(getOperation()->getUsers(), [](Operation *user) {
    auto mvm = dyn_cast<MVMOp>(user);
    return mvm && mvm.readsBridges();
  });
}

bool MVMOp::readsBridges() {
  return isa<SignReadoutAttr>(getReadout()) ||
         (isa<ChargeReadoutAttr>(getReadout()) && !readsLIFColumns());
}

bool MVMOp::readsLIFColumns() {
  auto tile = getTile().getDefiningOp<ProgramTileOp>();
  return tile && tile.getLif();
}

ArrayKindAttr LinearOp::getArrayKind(TargetAttr target) {
  return getPlacement() ? target.lookupArray(*getPlacement())
                        : target.getDefaultArray();
}

unsigned ProgramTileOp::getSlices(ArrayKindAttr array) {
  // As the emitter writes the tile's weight bits: absent, the kind's.
  return macro::weightSlices(
      unsigned(getWeightBits().value_or(array.getWeightBits())),
      array.getBitsPerCell());
}

//===----------------------------------------------------------------------===//
// MVMOp
//===----------------------------------------------------------------------===//

LogicalResult MVMOp::verify() {
  TileType tile = getTile().getType();
  if (auto sign = dyn_cast<SignReadoutAttr>(getReadout());
      sign && sign.size() != tile.getCols())
    return emitOpError("has ") << sign.size() << " binary neurons for "
                               << tile.getCols() << " tile columns";
  if (readsLIFColumns() && !isa<ChargeReadoutAttr>(getReadout()))
    return emitOpError("reads a tile whose columns feed LIF neurons, which "
                       "needs a #cim.charge readout");
  if (Value carry = getCarry()) {
    if (!readsBridges() && !readsLIFColumns())
      return emitOpError("takes a carry, which only binary neurons "
                         "(#cim.sign or #cim.charge readouts) and LIF "
                         "columns share");
    if (carry.getType() != getResult().getType())
      return emitOpError("carry type ")
             << carry.getType() << " differs from the result type "
             << getResult().getType();
  }
  if ((readsBridges() || readsLIFColumns()) && getBiasRow())
    return emitOpError("reads binary neurons, which have no bias row (the "
                       "threshold is the comparator's reference)");
  return verifyRowProduct(*this, getInput().getType(), getResult().getType(),
                          tile.getRows() - (getBiasRow() ? 1 : 0),
                          getRowOffsetAttr().getInt(), tile.getCols());
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

/// ONNX Cast of one element between f32, i64 and i1.
static Attribute castElement(Attribute in, Type to) {
  double asDouble = 0;
  int64_t asInt = 0;
  if (auto f = dyn_cast<FloatAttr>(in)) {
    asDouble = f.getValueAsDouble();
    // Truncates toward zero; a value outside int64 (or NaN) has no int64
    // and is left unfolded.
    if (asDouble >= -0x1p63 && asDouble < 0x1p63)
      asInt = static_cast<int64_t>(asDouble);
    else if (to.isInteger(64))
      return {};
  } else if (auto i = dyn_cast<IntegerAttr>(in)) {
    asInt = i.getType().isInteger(1) ? i.getValue().getZExtValue() : i.getInt();
    asDouble = static_cast<double>(asInt);
  } else {
    return {};
  }
  if (to.isF32())
    return FloatAttr::get(to, asDouble);
  if (to.isInteger(1))
    return IntegerAttr::get(to, isa<FloatAttr>(in) ? asDouble != 0 : asInt != 0);
  if (to.isInteger(64)) {
    if (isa<FloatAttr>(in) && !std::isfinite(asDouble))
      return {};
    return IntegerAttr::get(to, asInt);
  }
  return {};
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto type = cast<RankedTensorType>(getType());
  if (!input || !type.hasStaticShape())
    return {};
  if (input.getElementType() == type.getElementType())
    return input;
  SmallVector<Attribute> out;
  for (Attribute element : input.getValues<Attribute>()) {
    Attribute converted = castElement(element, type.getElementType());
    if (!converted)
      return {};
    out.push_back(converted);
  }
  return DenseElementsAttr::get(type, out);
}

//===----------------------------------------------------------------------===//
// Im2ColOp
//===----------------------------------------------------------------------===//

int64_t Im2ColOp::outputExtent(unsigned i, int64_t size) {
  if (ShapedType::isDynamic(size))
    return ShapedType::kDynamic;
  size_t k = getKernelShape().size();
  return macro::windowCount(size, getKernelShape()[i], getStrides()[i],
                            getPads()[i], getPads()[k + i], getDilations()[i],
                            getCeilMode() != 0);
}

LogicalResult Im2ColOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  size_t k = getKernelShape().size();
  if (k < 1 || k > 2 || input.getRank() != int64_t(k) + 2)
    return emitOpError("needs an input of rank 3 or 4 ([N, C, D1(, D2)]) and "
                       "a kernel of as many dimensions; got rank ")
           << input.getRank() << " and " << k << " kernel dimensions";
  if (getStrides().size() != k || getDilations().size() != k ||
      getPads().size() != 2 * k)
    return emitOpError("strides and dilations need ")
           << k << " entries and pads " << 2 * k;
  for (size_t i = 0; i < k; ++i)
    if (getKernelShape()[i] < 1 || getStrides()[i] < 1 ||
        getDilations()[i] < 1 || getPads()[i] < 0 || getPads()[k + i] < 0)
      return emitOpError("kernel, strides and dilations must be at least 1 "
                         "and pads at least 0 (dimension ")
             << i << ")";
  SmallVector<int64_t> expected = {input.getDimSize(0)};
  int64_t patch = input.getDimSize(1);
  for (size_t i = 0; i < k; ++i) {
    int64_t extent = outputExtent(i, input.getDimSize(2 + i));
    if (extent == 0)
      return emitOpError("no window fits input dimension ")
             << 2 + i << " of size " << input.getDimSize(2 + i);
    expected.push_back(extent);
    if (!ShapedType::isDynamic(patch))
      patch *= getKernelShape()[i];
  }
  expected.push_back(patch);
  return verifyShapeMatches(*this, expected, cast<ShapedType>(getType()));
}

//===----------------------------------------------------------------------===//
// QuantizeLinearOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeLinearOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto scale = cast<RankedTensorType>(getScale().getType());
  auto zp = cast<RankedTensorType>(getZeroPoint().getType());
  if (scale.getRank() != 1 || zp.getRank() != 1 ||
      scale.getDimSize(0) != zp.getDimSize(0))
    return emitOpError("scale and zero_point must be 1-D of one length");
  int64_t length = scale.getDimSize(0);
  int64_t axis = getAxisAttr().getInt();
  if (length != 1) {
    if (axis < 0 || axis >= input.getRank())
      return emitOpError("axis ")
             << axis << " is out of range for rank " << input.getRank();
    int64_t extent = input.getDimSize(axis);
    if (!ShapedType::isDynamic(length) && !ShapedType::isDynamic(extent) &&
        extent != length)
      return emitOpError("a per-axis scale needs ")
             << extent << " entries (the input's extent along axis "
             << axis << "), not " << length;
  }
  // I64Attr's accessors read unsigned; the range is signed.
  int64_t lo = getMinAttr().getInt(), hi = getMaxAttr().getInt();
  if (lo > hi)
    return emitOpError("min ") << lo << " is above max " << hi;
  return verifyShapeMatches(*this, input.getShape(),
                            cast<RankedTensorType>(getType()));
}

OpFoldResult QuantizeLinearOp::fold(FoldAdaptor adaptor) {
  auto x = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto scale = dyn_cast_or_null<DenseElementsAttr>(adaptor.getScale());
  auto zp = dyn_cast_or_null<DenseElementsAttr>(adaptor.getZeroPoint());
  auto type = cast<RankedTensorType>(getType());
  if (!x || !scale || !zp || !type.hasStaticShape())
    return {};
  SmallVector<float> xs(x.getValues<float>()), ss(scale.getValues<float>());
  SmallVector<int64_t> zs(zp.getValues<int64_t>());
  // Entry i lies at index (i / inner) % length of a per-axis scale.
  int64_t length = int64_t(ss.size()), inner = 1;
  int64_t lo = getMinAttr().getInt(), hi = getMaxAttr().getInt();
  // Without elements the dimensions beside a 0 may multiply past int64.
  if (length > 1 && !xs.empty())
    for (int64_t d : type.getShape().drop_front(getAxisAttr().getInt() + 1))
      inner *= d;
  SmallVector<int64_t> out(xs.size());
  for (size_t i = 0; i < xs.size(); ++i) {
    int64_t c = length > 1 ? (int64_t(i) / inner) % length : 0;
    out[i] = macro::quantizeLinear(xs[i], ss[c], zs[c], lo, hi);
  }
  return DenseElementsAttr::get(type, ArrayRef<int64_t>(out));
}

//===----------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::verify() {
  RankedTensorType data = getData().getType();
  auto indices = cast<RankedTensorType>(getIndices().getType());
  int64_t axis = getAxis();
  if (axis >= data.getRank())
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << data.getRank();
  SmallVector<int64_t> expected(data.getShape().take_front(axis));
  llvm::append_range(expected, indices.getShape());
  llvm::append_range(expected, data.getShape().drop_front(axis + 1));
  if (data.getElementType() != getType().getElementType())
    return emitOpError("result element type must match the data's");
  return verifyShapeMatches(*this, expected, cast<RankedTensorType>(getType()));
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = dyn_cast_or_null<DenseElementsAttr>(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseElementsAttr>(adaptor.getIndices());
  auto type = cast<RankedTensorType>(getType());
  // An empty operand is left to the runtime: the dimensions beside its 0
  // may multiply past int64.
  if (!data || !indices || !type.hasStaticShape() || data.empty() ||
      indices.empty())
    return {};
  ArrayRef<int64_t> shape = data.getType().getShape();
  int64_t axis = getAxis(), dim = shape[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t d : shape.take_front(axis))
    outer *= d;
  for (int64_t d : shape.drop_front(axis + 1))
    inner *= d;
  SmallVector<Attribute> values(data.getValues<Attribute>());
  SmallVector<int64_t> idx(indices.getValues<int64_t>());
  SmallVector<Attribute> out;
  out.reserve(type.getNumElements());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx) {
      if (i < 0)
        i += dim;
      if (i < 0 || i >= dim)
        return {}; // the runtime reports the bad index
      for (int64_t n = 0; n < inner; ++n)
        out.push_back(values[(o * dim + i) * inner + n]);
    }
  return DenseElementsAttr::get(type, out);
}

//===----------------------------------------------------------------------===//
// ShapeOfOp, ConstantOfShapeOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::verify() {
  int64_t rank = getInput().getType().getRank();
  int64_t start = getStartAttr().getInt(), end = getEndAttr().getInt();
  if (start < 0 || start > end || end > rank)
    return emitOpError("dimensions [")
           << start << ", " << end << ") are not within rank " << rank;
  return verifyShapeMatches(*this, {end - start},
                            cast<RankedTensorType>(getType()));
}

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> dims =
      getInput().getType().getShape().slice(getStart(), getEnd() - getStart());
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return DenseElementsAttr::get(cast<ShapedType>(getType()), dims);
}

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = cast<RankedTensorType>(getType());
  if (!type.hasStaticShape())
    return {};
  Attribute value =
      castElement(FloatAttr::get(Float64Type::get(getContext()),
                                 getValue().convertToDouble()),
                  type.getElementType());
  if (!value)
    return {};
  return SplatElementsAttr::get(type, value);
}

//===----------------------------------------------------------------------===//
// Recurrent ops
//===----------------------------------------------------------------------===//

ActivationParams cim::getActivationParams(RecurrentActivation act) {
  // The ODS enum lists macro::kRecurrentActivations' names in its order,
  // from 1.
  const macro::RecurrentActivationInfo &info =
      macro::kRecurrentActivations[int(act) - 1];
  assert(stringifyRecurrentActivation(act) == info.name &&
         "the activation enum and the macro model's table disagree");
  return {info.takesAlpha, info.takesBeta, info.alpha, info.beta};
}

/// Checks activation lists and weight shapes shared by RNN, GRU and LSTM.
/// `funcsPerDirection` is 1 (RNN), 2 (GRU) or 3 (LSTM).
static LogicalResult verifyRecurrent(Operation *op,
                                     RecurrentDirection direction,
                                     int64_t hiddenSize, ArrayAttr activations,
                                     ArrayAttr alpha, ArrayAttr beta,
                                     ShapedType w, ShapedType r, int gates,
                                     int funcsPerDirection) {
  int64_t numDirections = getNumDirections(direction);
  if (hiddenSize <= 0)
    return op->emitOpError("hidden_size must be positive");
  int64_t numFuncs = funcsPerDirection * numDirections;
  if (static_cast<int64_t>(activations.size()) != numFuncs)
    return op->emitOpError("needs ")
           << numFuncs << " activations, got " << activations.size();
  if (alpha.size() != activations.size() || beta.size() != activations.size())
    return op->emitOpError("activation_alpha and activation_beta need one "
                           "value per activation");
  if (w.getRank() != 3 || r.getRank() != 3)
    return op->emitOpError("W and R must be 3-D");
  int64_t rows = gates * hiddenSize;
  if (!dimsCompatible(w.getDimSize(0), numDirections) ||
      !dimsCompatible(w.getDimSize(1), rows) ||
      !dimsCompatible(r.getDimSize(0), numDirections) ||
      !dimsCompatible(r.getDimSize(1), rows) ||
      !dimsCompatible(r.getDimSize(2), hiddenSize))
    return op->emitOpError("W must be [")
           << numDirections << ", " << rows << ", input] and R ["
           << numDirections << ", " << rows << ", " << hiddenSize << "]";
  return success();
}

LogicalResult RNNOp::verify() {
  return verifyRecurrent(*this, getDirection(), getHiddenSize(),
                         getActivations(), getActivationAlpha(),
                         getActivationBeta(), getW().getType(),
                         getR().getType(), kNumGates, 1);
}

LogicalResult GRUOp::verify() {
  return verifyRecurrent(*this, getDirection(), getHiddenSize(),
                         getActivations(), getActivationAlpha(),
                         getActivationBeta(), getW().getType(),
                         getR().getType(), kNumGates, 2);
}

LogicalResult LSTMOp::verify() {
  return verifyRecurrent(*this, getDirection(), getHiddenSize(),
                         getActivations(), getActivationAlpha(),
                         getActivationBeta(), getW().getType(),
                         getR().getType(), kNumGates, 3);
}

//===----------------------------------------------------------------------===//
// LoopOp, ScanOp
//===----------------------------------------------------------------------===//

static bool isScalarOf(Type type, Type element) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.getRank() == 0 && tensor.getElementType() == element;
}

//===----------------------------------------------------------------------===//
// LIFOp
//===----------------------------------------------------------------------===//

Value cim::yieldedForCarried(BlockArgument arg) {
  Block *body = arg.getOwner();
  auto yield = body->empty() ? YieldOp() : dyn_cast<YieldOp>(body->back());
  if (!yield)
    return Value();
  // cim.loop: (iteration, condition, carried...) -> (condition, carried...,
  // scans...); cim.scan: (states..., scan inputs...) -> (states...,
  // scan outputs...).
  int64_t k = -1;
  unsigned index = arg.getArgNumber();
  Operation *parent = body->getParentOp();
  if (isa<LoopOp>(parent))
    k = index >= 2 ? int64_t(index) - 1 : -1;
  else if (auto scan = dyn_cast<ScanOp>(parent))
    k = index < scan.getInputs().size() - uint64_t(scan.getNumScanInputs())
            ? int64_t(index)
            : -1;
  return k >= 0 && k < int64_t(yield->getNumOperands())
             ? yield->getOperand(unsigned(k))
             : Value();
}

bool LIFOp::carriesMembraneAcrossIterations() {
  auto arg = dyn_cast_or_null<BlockArgument>(getInit());
  return arg && arg.getOwner() == getOperation()->getBlock() &&
         yieldedForCarried(arg) == getMembrane();
}

LogicalResult LIFOp::verify() {
  if (getCurrents().empty())
    return emitOpError("needs at least one time step");
  if (getSpikes().size() != getCurrents().size())
    return emitOpError("has ") << getSpikes().size() << " spike results for "
                               << getCurrents().size() << " time steps";
  Type type = getCurrents().front().getType();
  if (!cast<RankedTensorType>(type).getElementType().isF32())
    return emitOpError("currents must be f32 tensors, got ") << type;
  for (Value v : getCurrents())
    if (v.getType() != type)
      return emitOpError("currents differ in type: ")
             << v.getType() << " and " << type;
  for (Value v : getResults())
    if (v.getType() != type)
      return emitOpError("result type ")
             << v.getType() << " differs from the currents' " << type;
  if (Value init = getInit();
      init && failed(verifyCompatibleShape(init.getType(), type)))
    return emitOpError("init type ")
           << init.getType() << " is not compatible with the currents' "
           << type;
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    auto current = cast<RankedTensorType>(type);
    if (!biasType.getElementType().isF32() ||
        biasType.getRank() != current.getRank() ||
        biasType.getShape().back() != current.getShape().back())
      return emitOpError("bias type ")
             << bias.getType() << " must be f32 [1, ..., N] for currents "
             << type;
  }
  double beta = getBeta().convertToDouble(),
         theta = getTheta().convertToDouble();
  if (!std::isfinite(beta) || !std::isfinite(theta))
    return emitOpError("beta and theta must be finite, got beta ")
           << beta << ", theta " << theta;
  if (getCompare() != "gt" && getCompare() != "ge")
    return emitOpError("compare must be \"gt\" or \"ge\", got \"")
           << getCompare() << "\"";
  return success();
}

LogicalResult LoopOp::verify() {
  Block &body = getBody().front();
  size_t numCarried = getInitial().size();
  if (body.getNumArguments() != numCarried + 2)
    return emitOpError("body needs ")
           << numCarried + 2
           << " arguments (iteration, condition, carried values), got "
           << body.getNumArguments();
  Builder b(getContext());
  if (!isScalarOf(body.getArgument(0).getType(), b.getI64Type()) ||
      !isScalarOf(body.getArgument(1).getType(), b.getI1Type()))
    return emitOpError("body arguments 0 and 1 must be tensor<i64> and "
                       "tensor<i1>");
  if (getNumResults() < numCarried)
    return emitOpError("has fewer results than carried values");
  auto yield = cast<YieldOp>(body.getTerminator());
  size_t numScan = getNumResults() - numCarried;
  if (yield.getValues().size() != 1 + numCarried + numScan)
    return emitOpError("body must yield the condition, ")
           << numCarried << " carried and " << numScan << " scan values, got "
           << yield.getValues().size() << " values";
  if (!isScalarOf(yield.getValues()[0].getType(), b.getI1Type()))
    return emitOpError("body must yield the condition as tensor<i1> first");
  return success();
}

LogicalResult ODEOp::verify() {
  if (bool(getSteps()) == getNumSteps().has_value())
    return emitOpError("needs the step count as an attribute or as an "
                       "operand, not ")
           << (getSteps() ? "both" : "neither");
  if (getSteps() && !isScalarOf(getSteps().getType(),
                                IntegerType::get(getContext(), 64)))
    return emitOpError("step count operand must be tensor<i64>");
  if (!(getDt().convertToDouble() > 0))
    return emitOpError("dt must be positive, got ")
           << getDt().convertToDouble();
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 ||
      body.getArgument(0).getType() != getInit().getType())
    return emitOpError("body needs one argument, the state, of type ")
           << getInit().getType();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1 ||
      yield.getValues()[0].getType() != getInit().getType())
    return emitOpError("body must yield dh/dt of type ")
           << getInit().getType();
  if (getResult().getType() != getInit().getType())
    return emitOpError("result type must be the state's type ")
           << getInit().getType();
  return success();
}

LogicalResult ScanOp::verify() {
  int64_t numInputs = getInputs().size(), numScan = getNumScanInputs();
  if (numScan < 1 || numScan > numInputs)
    return emitOpError("num_scan_inputs must be in [1, ")
           << numInputs << "], got " << numScan;
  int64_t numStates = numInputs - numScan;
  int64_t numScanOutputs = getNumResults() - numStates;
  if (numScanOutputs < 0)
    return emitOpError("has fewer results than states");
  if (static_cast<int64_t>(getScanInputAxes().size()) != numScan ||
      static_cast<int64_t>(getScanInputDirections().size()) != numScan ||
      static_cast<int64_t>(getScanOutputAxes().size()) != numScanOutputs ||
      static_cast<int64_t>(getScanOutputDirections().size()) != numScanOutputs)
    return emitOpError("needs one axis and direction per scan input and "
                       "scan output");
  Block &body = getBody().front();
  if (static_cast<int64_t>(body.getNumArguments()) != numInputs)
    return emitOpError("body needs one argument per input");
  auto yield = cast<YieldOp>(body.getTerminator());
  if (static_cast<int64_t>(yield.getValues().size()) != getNumResults())
    return emitOpError("body must yield one value per result");
  return success();
}

//===----------------------------------------------------------------------===//
// Ops with axes or sizes given at run time
//===----------------------------------------------------------------------===//

/// The static length of a 1-D axes or sizes operand, or failure.
static FailureOr<int64_t> staticLength(Operation *op, Value v,
                                       const char *what) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() != 1 || type.isDynamicDim(0))
    return op->emitOpError() << what << " must be 1-D with a static length, "
                             << "got " << type;
  return type.getDimSize(0);
}

/// The result has the input's element type and rank `rank`.
static LogicalResult verifyRankAndElement(Operation *op, ShapedType input,
                                          ShapedType result, int64_t rank) {
  if (input.getElementType() != result.getElementType())
    return op->emitOpError("result element type must match the input's");
  if (result.getRank() != rank)
    return op->emitOpError("result rank ")
           << result.getRank() << " does not match expected rank " << rank;
  return success();
}

LogicalResult SqueezeOp::verify() {
  FailureOr<int64_t> k = staticLength(*this, getAxes(), "axes");
  if (failed(k))
    return failure();
  return verifyRankAndElement(*this, getInput().getType(), getType(),
                              getInput().getType().getRank() - *k);
}

LogicalResult UnsqueezeOp::verify() {
  FailureOr<int64_t> k = staticLength(*this, getAxes(), "axes");
  if (failed(k))
    return failure();
  return verifyRankAndElement(*this, getInput().getType(), getType(),
                              getInput().getType().getRank() + *k);
}

LogicalResult ReduceSumOp::verify() {
  FailureOr<int64_t> k = staticLength(*this, getAxes(), "axes");
  if (failed(k))
    return failure();
  auto input = cast<ShapedType>(getInput().getType());
  int64_t rank = input.getRank();
  if (!getKeepdims())
    rank = *k ? rank - *k : getNoopWithEmptyAxes() ? rank : 0;
  return verifyRankAndElement(*this, input, cast<ShapedType>(getType()), rank);
}

LogicalResult SplitOp::verify() {
  FailureOr<int64_t> k = staticLength(*this, getSizes(), "sizes");
  if (failed(k))
    return failure();
  if (*k != static_cast<int64_t>(getNumResults()))
    return emitOpError("has ") << getNumResults() << " results for " << *k
                               << " sizes";
  RankedTensorType input = getInput().getType();
  int64_t axis = getAxis();
  if (axis >= input.getRank())
    return emitOpError("axis ") << axis << " is out of range for rank "
                                << input.getRank();
  for (Value result : getResults()) {
    auto type = cast<ShapedType>(result.getType());
    SmallVector<int64_t> expected(input.getShape());
    expected[axis] = type.hasRank() && type.getRank() > axis
                         ? type.getDimSize(axis)
                         : ShapedType::kDynamic;
    if (failed(verifyRankAndElement(*this, input, type, input.getRank())) ||
        failed(verifyShapeMatches(*this, expected, type)))
      return failure();
  }
  return success();
}

LogicalResult DynamicQuantizeLinearOp::verify() {
  auto input = cast<ShapedType>(getInput().getType());
  auto levels = cast<ShapedType>(getLevels().getType());
  if (!levels.hasRank() || levels.getRank() != input.getRank())
    return emitOpError("levels must have the input's rank");
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (!dimsCompatible(input.getDimSize(d), levels.getDimSize(d)))
      return emitOpError("levels dimension ")
             << d << " is " << levels.getDimSize(d) << ", the input's "
             << input.getDimSize(d);
  return success();
}

LogicalResult IfOp::verify() {
  if (getCondition().getType().getNumElements() != 1)
    return emitOpError("condition must hold one element, got type ")
           << getCondition().getType();
  Region *regions[] = {&getThenRegion(), &getElseRegion()};
  for (auto [index, region] : llvm::enumerate(regions)) {
    const char *name = index == 0 ? "then" : "else";
    auto yield = dyn_cast<YieldOp>(region->front().getTerminator());
    if (!yield)
      return emitOpError() << name << " region must end in cim.yield";
    if (yield.getValues().size() != getNumResults())
      return emitOpError() << name << " region yields "
                           << yield.getValues().size() << " values for "
                           << getNumResults() << " results";
    for (auto [i, v] : llvm::enumerate(yield.getValues())) {
      auto given = cast<ShapedType>(v.getType());
      auto result = cast<ShapedType>(getResult(i).getType());
      bool fits = given.hasRank() &&
                  given.getElementType() == result.getElementType() &&
                  given.getRank() == result.getRank();
      for (int64_t d = 0; fits && d < result.getRank(); ++d)
        fits = result.isDynamicDim(d) ||
               given.getDimSize(d) == result.getDimSize(d);
      if (!fits)
        return emitOpError() << name << " region yields " << v.getType()
                             << " for result " << i << " of type "
                             << result;
    }
  }
  return success();
}

namespace {
/// cim.if with a constant condition becomes the taken region's ops, where
/// the region yields exactly the result types.
struct FoldConstantIf : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr cond;
    if (!matchPattern(op.getCondition(), m_Constant(&cond)))
      return failure();
    bool taken = cond.getValues<bool>()[0];
    Region &region = taken ? op.getThenRegion() : op.getElseRegion();
    auto yield = cast<YieldOp>(region.front().getTerminator());
    if (TypeRange(yield.getValues()) != op.getResultTypes())
      return rewriter.notifyMatchFailure(op, "the taken region yields "
                                             "other types than the results");
    SmallVector<Value> values(yield.getValues());
    rewriter.eraseOp(yield);
    rewriter.inlineBlockBefore(&region.front(), op);
    rewriter.replaceOp(op, values);
    return success();
  }
};
} // namespace

void IfOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                       MLIRContext *context) {
  results.add<FoldConstantIf>(context);
}

#define GET_OP_CLASSES
#include "cim/Dialect/CIM/CIMOps.cpp.inc"
