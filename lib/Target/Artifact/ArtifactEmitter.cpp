//===- ArtifactEmitter.cpp - Tiled module to .cimx --------------*- C++ -*-===//
//
// Walks `func.func @main` of a tiled module in program order and builds the
// protobuf artifact: every `cim.program_tile` becomes a tile image (weights
// as differential conductance pairs), every other op an instruction for the
// runtime, and constants are written where an instruction first reads them.
// Anything the runtime cannot run is reported on its op before a byte is
// written.
//
//===----------------------------------------------------------------------===//

#include "cim/Target/ArtifactEmitter.h"

#include "cim/Macro/Artifact.h"
#include "cim/Macro/Slicing.h"

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Frontend/ONNX/Importer.h"
#include "cim/Target/CostModel.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"

#include "cimx.pb.h"
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/wire_format_lite.h>

#include <functional>

using namespace mlir;
using namespace cim;
namespace pb = cim::artifact;

using cim::macro::kArtifactMagic;
using cim::macro::kArtifactVersion;

/// Digital-unit ops the runtime has a kernel for, by op name.
static const llvm::StringSet<> &digitalKernels() {
  static const llvm::StringSet<> kernels = {
      // tosa, with TOSA semantics (plus numpy broadcasting of equal ranks)
      "tosa.add", "tosa.sub", "tosa.mul", "tosa.maximum", "tosa.minimum",
      "tosa.pow", "tosa.greater", "tosa.greater_equal", "tosa.equal",
      "tosa.logical_and", "tosa.logical_or", "tosa.logical_xor",
      "tosa.logical_not", "tosa.select", "tosa.exp", "tosa.log", "tosa.tanh",
      "tosa.sigmoid", "tosa.reciprocal", "tosa.floor", "tosa.ceil",
      "tosa.negate", "tosa.abs", "tosa.identity", "tosa.clamp",
      "tosa.reduce_max", "tosa.reduce_min", "tosa.reduce_sum",
      "tosa.reduce_prod", "tosa.argmax", "tosa.reshape", "tosa.transpose",
      "tosa.concat",
      // cim digital-unit ops with ONNX semantics
      "cim.matmul", "cim.cast", "cim.gather", "cim.shape_of", "cim.expand",
      "cim.constant_of_shape", "cim.reshape", "cim.slice", "cim.rnn",
      "cim.gru", "cim.lstm", "cim.loop", "cim.scan", "cim.ode", "cim.lif",
      "cim.im2col", "cim.quantize_linear", "cim.if", "cim.squeeze",
      "cim.unsqueeze", "cim.reduce_sum", "cim.split",
      "cim.dynamic_quantize_linear"};
  return kernels;
}

std::vector<std::string> cim::emittableKernels() {
  std::vector<std::string> names = {"cim.mvm"};
  for (const auto &entry : digitalKernels())
    names.push_back(entry.getKey().str());
  return names;
}

using cim::macro::kAbsentValue;

static pb::CellTech convertCell(CellTech cell) {
  switch (cell) {
  case CellTech::rram:
    return pb::RRAM;
  case CellTech::rom:
    return pb::ROM;
  case CellTech::sram:
    return pb::SRAM;
  }
  llvm_unreachable("unknown cell technology");
}

static pb::WeightEncoding convertEncoding(WeightEncoding encoding) {
  switch (encoding) {
  case WeightEncoding::differential:
    return pb::DIFFERENTIAL;
  case WeightEncoding::offset:
    return pb::OFFSET;
  }
  llvm_unreachable("unknown weight encoding");
}

static pb::ADCKind convertADCKind(ADCKind kind) {
  switch (kind) {
  case ADCKind::uniform:
    return pb::ADC_KIND_UNIFORM;
  case ADCKind::ramp:
    return pb::ADC_KIND_RAMP;
  case ADCKind::sign:
    return pb::ADC_KIND_SIGN;
  }
  llvm_unreachable("unknown ADC kind");
}

namespace {
class Emitter {
public:
  /// Receives each tile image as it is built; the default keeps it in the
  /// artifact.
  using TileSink = std::function<bool(pb::Tile &)>;

  Emitter(pb::Artifact &artifact, TileSink sink = nullptr,
          std::vector<Operation *> *tileOps = nullptr)
      : artifact(artifact), sink(std::move(sink)), tileOps(tileOps) {}

  LogicalResult run(ModuleOp module) {
    FailureOr<TargetAttr> maybeTarget = requireTarget(module);
    if (failed(maybeTarget))
      return failure();
    TargetAttr target = *maybeTarget;
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func)
      return module.emitError("module has no 'func.func @main'");
    if (!func.getBody().hasOneBlock())
      return func.emitError("@main must have a single block");

    artifact.set_magic(kArtifactMagic);
    artifact.set_version(kArtifactVersion);
    artifact.set_producer("cim-compile");
    pb::Target *t = artifact.mutable_target();
    t->set_name(target.getName().str());
    t->set_dac_bits(target.getDacBits());
    t->set_adc_bits(target.getAdcBits());
    t->set_input_bits(target.getInputBits());
    for (Attribute a : target.getArrays()) {
      auto kind = cast<ArrayKindAttr>(a);
      pb::ArrayKind *out = t->add_arrays();
      out->set_name(kind.getName().str());
      out->set_cell_tech(convertCell(kind.getCell()));
      out->set_rows(kind.getRows());
      out->set_cols(kind.getCols());
      out->set_bits_per_cell(kind.getBitsPerCell());
      out->set_count(kind.getCount());
      out->set_encoding(convertEncoding(kind.getEncoding()));
      out->set_weight_bits(kind.getWeightBits());
      out->set_g_min_us(kind.getGMinUs().convertToDouble());
      out->set_g_max_us(kind.getGMaxUs().convertToDouble());
      out->set_spare_rows(kind.getSpareRows());
      out->set_spare_cols(kind.getSpareCols());
    }
    for (const auto &[key, value] : defaultCosts())
      (*t->mutable_costs())[key] = target.getCost(key, value);
    if (DictionaryAttr costs = target.getCosts())
      for (NamedAttribute cost : costs)
        (*t->mutable_costs())[cost.getName().str()] =
            target.getCost(cost.getName().getValue(), 0);
    t->set_adc_kind(convertADCKind(target.getAdcKind()));
    t->set_macros(target.getMacros());
    t->set_digital_lanes(target.getDigitalLanes());
    if (LIFAttr lif = target.getLif()) {
      pb::LIF *out = t->mutable_lif();
      out->set_threshold(lif.getThreshold().convertToDouble());
      out->set_leak(lif.getLeak().convertToDouble());
      out->set_reset(lif.getReset() == ResetMode::zero
                         ? pb::RESET_MODE_ZERO
                         : pb::RESET_MODE_SUBTRACT);
    }
    t->set_bridge_neurons(target.getBridgeNeurons());
    if (IntegratorAttr in = target.getIntegrator()) {
      pb::Integrator *out = t->mutable_integrator();
      out->set_gain_max(in.getGainMax().convertToDouble());
      out->set_leak(in.getLeak().convertToDouble());
      out->set_v_sat(in.getVSat().convertToDouble());
      out->set_noise(in.getNoise().convertToDouble());
    }
    this->target = target;

    program = artifact.mutable_program();
    for (auto [i, arg] : llvm::enumerate(func.getArguments())) {
      auto name = func.getArgAttrOfType<StringAttr>(i, kOnnxNameAttr);
      program->add_inputs(define(arg, name ? name.str() : "arg" + std::to_string(i)));
    }
    return emitBlock(func.getBody().front(), program->mutable_instructions(),
                     func);
  }

private:
  /// Assigns a program value id to `v` and records its type.
  uint32_t define(Value v, const std::string &name = "") {
    uint32_t id = program->values_size();
    pb::Value *value = program->add_values();
    value->set_id(id);
    value->set_name(name);
    auto type = cast<RankedTensorType>(v.getType());
    Type elem = type.getElementType();
    value->mutable_type()->set_dtype(elem.isF32()           ? pb::F32
                                     : elem.isInteger(64) ? pb::I64
                                     : elem.isInteger(1)  ? pb::I1
                                                          : pb::DTYPE_UNSPECIFIED);
    for (int64_t d : type.getShape())
      value->mutable_type()->add_dims(ShapedType::isDynamic(d) ? -1 : d);
    ids[v] = id;
    return id;
  }

  /// The id of `v`, writing it as a program constant on first use.
  FailureOr<uint32_t> use(Value v, Operation *user) {
    auto it = ids.find(v);
    if (it != ids.end())
      return it->second;
    DenseElementsAttr attr;
    if (!matchPattern(v, m_Constant(&attr)))
      return user->emitOpError("reads a value the artifact cannot represent");
    Type elem = attr.getElementType();
    if (!elem.isF32() && !elem.isInteger(64) && !elem.isInteger(1))
      return user->emitOpError("reads a constant of type ")
             << elem << ", which the artifact cannot hold (f32, i64 or i1)";
    uint32_t id = define(v);
    pb::Constant *c = program->add_constants();
    c->set_value(id);
    for (int64_t d : attr.getType().getShape())
      c->add_dims(d);
    if (elem.isF32())
      for (float f : attr.getValues<float>())
        c->add_f32_data(f);
    else if (elem.isInteger(1)) // i1 constants are stored as 0/1
      for (bool b : attr.getValues<bool>())
        c->add_i64_data(b);
    else
      for (int64_t i : attr.getValues<int64_t>())
        c->add_i64_data(i);
    return id;
  }

  static std::string describe(Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc))
      return "node '" + name.getName().str() + "'";
    return "";
  }

  LogicalResult emitTile(ProgramTileOp op) {
    DenseElementsAttr weights;
    if (!matchPattern(op.getWeights(), m_Constant(&weights)) ||
        !weights.getElementType().isF32())
      return op.emitOpError("weights must be an f32 constant to be emitted");
    TileType type = op.getTile().getType();
    ArrayKindAttr array = target.lookupArray(type.getCell());
    if (!array)
      return op.emitOpError("the target has no arrays for this tile's cells");
    uint32_t id = numTiles++;
    if (tileOps)
      tileOps->push_back(op);
    pb::Tile local;
    pb::Tile *tile = sink ? &local : artifact.add_tiles();
    tile->set_id(id);
    tile->set_rows(type.getRows());
    tile->set_cols(type.getCols());
    // The kind says the cells, geometry, encoding and weight bits, once.
    if (op.getEncoding() != array.getEncoding())
      return op.emitOpError("encodes its weights ")
             << stringifyWeightEncoding(op.getEncoding()) << " but its "
             << array.getName() << " arrays are "
             << stringifyWeightEncoding(array.getEncoding());
    tile->set_array_kind(uint32_t(
        llvm::find(target.getArrays(), Attribute(array)) -
        target.getArrays().begin()));
    tile->set_source(describe(op.getLoc()));
    tile->set_analog(op.getAnalog());
    tile->set_lif(op.getLif());
    if (std::optional<InputCoding> coding = op.getInputCoding())
      tile->set_input_coding(*coding == InputCoding::spikes ? pb::SPIKES
                             : *coding == InputCoding::rate ? pb::RATE
                                                            : pb::LATENCY);
    if (op.getArray()) {
      tile->set_placed(true);
      tile->set_array(uint32_t(*op.getArray()));
      tile->set_array_row(uint32_t(op.getArrayRow().value_or(0)));
      tile->set_array_col(uint32_t(op.getArrayCol().value_or(0)));
    }
    tile->set_reload(op.getReload());
    // A fused activation is the readout of the tile's columns (its ramp
    // column); tiles written by hand may leave it to their MVMs.
    RampReadoutAttr ramp = op.getRampAttr();
    for (Operation *user : op->getUsers())
      if (auto mvm = dyn_cast<MVMOp>(user))
        if (auto r = dyn_cast<RampReadoutAttr>(mvm.getReadout())) {
          if (ramp && r != ramp)
            return mvm.emitOpError("reads its tile through a ramp readout "
                                   "other than the tile's");
          ramp = r;
        }
    if (ramp) {
      pb::RampReadout *out = tile->mutable_ramp();
      for (const macro::RampStep &step : ramp.getSteps()) {
        pb::RampStep *o = out->add_steps();
        o->set_kind(pb::RampStepKind(int(step.kind) + 1));
        o->set_a(step.a);
        o->set_b(step.b);
      }
      for (double g : ramp.getConductancesUs().asArrayRef())
        out->add_conductances_us(g);
      out->set_bits(ramp.getBits());
      out->set_lo(ramp.getLo().convertToDouble());
      out->set_hi(ramp.getHi().convertToDouble());
      for (double t : ramp.getThresholds().asArrayRef())
        out->add_thresholds(t);
      for (double l : ramp.getLevels().asArrayRef())
        out->add_levels(l);
    }
    // Binary neurons: the tile's pairs are bridges read by charge sharing
    // (no ADC), and its own comparators decide or its charge goes on.
    SignReadoutAttr neurons;
    bool bridge = false, converted = false;
    for (Operation *user : op->getUsers())
      if (auto mvm = dyn_cast<MVMOp>(user)) {
        bool binary = mvm.readsBridges();
        bridge |= binary;
        converted |= !binary;
        if (auto sign = dyn_cast<SignReadoutAttr>(mvm.getReadout())) {
          if (neurons && sign != neurons)
            return mvm.emitOpError("reads its tile through binary neurons "
                                   "other than another read's");
          neurons = sign;
        }
      }
    if (bridge && converted)
      return op.emitOpError("is read both as RRAM bridges (binary neurons) "
                            "and through converters");
    if (bridge && !target.getBridgeNeurons())
      return op.emitOpError("is read by binary neurons, which target '")
             << target.getName() << "' does not have (bridge_neurons)";
    tile->set_bridge(bridge);
    if (std::optional<ArrayRef<double>> means = op.getInputMeans()) {
      if (!bridge)
        return op.emitOpError("has input_means but is not read by binary "
                              "neurons");
      for (double m : *means)
        tile->add_input_means(float(m));
    }
    if (neurons) {
      pb::BinaryNeurons *out = tile->mutable_neurons();
      out->set_fan_in(neurons.getFanIn());
      for (float v : neurons.getPre().asArrayRef())
        out->add_pre(v);
      for (float v : neurons.getScale().asArrayRef())
        out->add_scale(v);
      for (float v : neurons.getBias().asArrayRef())
        out->add_bias(v);
      for (float v : neurons.getCmp().asArrayRef())
        out->add_cmp(v);
      out->set_tie(float(neurons.getTie().convertToDouble()));
      for (double v : neurons.getReference().asArrayRef())
        out->add_reference(v);
    }
    // The exact weights as two non-negative planes in [0, 1], w[r][c] =
    // scales[c] * (g+ - g-): the positive part on g+, the negative part on
    // g-, each column scaled by its own largest magnitude so that it uses
    // the whole conductance range. The tile's encoding tells the device
    // how to program them (differential pairs, or one offset cell per
    // weight).
    SmallVector<float> w(weights.getValues<float>());
    const size_t cols = type.getCols(), rows = type.getRows();
    // The op's scales where it keeps a grid's (see cim.program_tile).
    std::vector<double> columnScales =
        op.getScales() ? std::vector<double>(op.getScales()->begin(),
                                             op.getScales()->end())
                       : macro::columnPeaks(w.data(), w.size(), cols);
    SmallVector<float> scales(columnScales.begin(), columnScales.end());
    for (float &scale : scales) {
      if (scale == 0)
        scale = 1;
      tile->add_scales(scale);
    }
    SmallVector<float> gPos(w.size()), gNeg(w.size());
    for (size_t i = 0; i < w.size(); ++i) {
      float scale = scales[i % cols];
      gPos[i] = w[i] > 0 ? w[i] / scale : 0.0f;
      gNeg[i] = w[i] < 0 ? -w[i] / scale : 0.0f;
      tile->add_g_pos(gPos[i]);
      tile->add_g_neg(gNeg[i]);
    }
    unsigned weightBits = op.getWeightBits().value_or(array.getWeightBits());
    tile->set_weight_bits(weightBits);
    // The compiler's codes (data-aware rounding), else the nearest.
    if (std::optional<DenseIntElementsAttr> codes = op.getCodes())
      for (const APInt &code : codes->getValues<APInt>())
        tile->add_codes(int32_t(code.getSExtValue()));
    // The ADC windows: calibrated ones from the op, else each column's
    // worst case over the cells the device programs.
    if (std::optional<ArrayRef<double>> windows = op.getAdcWindows()) {
      for (size_t i = 0; i + 1 < windows->size(); i += 2) {
        tile->add_adc_lo(float((*windows)[i]));
        tile->add_adc_hi(float((*windows)[i + 1]));
      }
    } else {
      macro::CellPlanes planes = macro::cellPlanes(
          gPos.data(), gNeg.data(), w.size(), array.getBitsPerCell(),
          weightBits, array.getEncoding() == WeightEncoding::offset);
      for (size_t p = 0; p < planes.size(); ++p)
        for (const macro::AdcWindow &window :
             macro::worstCaseWindows(planes, p, rows, cols)) {
          tile->add_adc_lo(float(window.lo));
          tile->add_adc_hi(float(window.hi));
        }
    }
    tileIds[op.getTile()] = id;
    if (sink && !sink(local))
      return op.emitOpError("the artifact could not be written");
    return success();
  }

  template <typename AttrTy>
  static bool isArrayOf(ArrayAttr array) {
    return llvm::all_of(array, [](Attribute a) { return isa<AttrTy>(a); });
  }

  LogicalResult setAttr(pb::Instruction *inst, Operation *op, StringRef name,
                        Attribute attr) {
    pb::Attribute &out = (*inst->mutable_attrs())[name.str()];
    // Lists set their kind before appending, so an empty list is still a list.
    if (auto i = dyn_cast<IntegerAttr>(attr)) {
      out.set_i(i.getType().isInteger(1) ? i.getValue().getZExtValue()
                                         : i.getInt());
    } else if (auto f = dyn_cast<FloatAttr>(attr)) {
      out.set_f(f.getValueAsDouble());
    } else if (auto s = dyn_cast<StringAttr>(attr)) {
      out.set_s(s.str());
    } else if (auto a = dyn_cast<DenseI64ArrayAttr>(attr)) {
      auto *list = out.mutable_ints();
      for (int64_t v : a.asArrayRef())
        list->add_values(v);
    } else if (auto a = dyn_cast<DenseI32ArrayAttr>(attr)) {
      auto *list = out.mutable_ints();
      for (int32_t v : a.asArrayRef())
        list->add_values(v);
    } else if (auto a = dyn_cast<DenseIntElementsAttr>(attr)) {
      auto *list = out.mutable_ints();
      for (const APInt &v : a.getValues<APInt>())
        list->add_values(v.getSExtValue());
    } else if (auto a = dyn_cast<ArrayAttr>(attr); a && isArrayOf<IntegerAttr>(a)) {
      // First, so that an empty array (e.g. no scan output axes) is ints.
      auto *list = out.mutable_ints();
      for (Attribute v : a)
        list->add_values(cast<IntegerAttr>(v).getInt());
    } else if (auto a = dyn_cast<ArrayAttr>(attr); a && isArrayOf<StringAttr>(a)) {
      auto *list = out.mutable_strings();
      for (Attribute v : a)
        list->add_values(cast<StringAttr>(v).str());
    } else if (auto a = dyn_cast<ArrayAttr>(attr); a && isArrayOf<FloatAttr>(a)) {
      auto *list = out.mutable_floats();
      for (Attribute v : a)
        list->add_values(cast<FloatAttr>(v).getValueAsDouble());
    } else if (isa<UnitAttr>(attr)) {
      out.set_i(1);
    } else if (auto reset = dyn_cast<ResetModeAttr>(attr)) {
      out.set_s(stringifyResetMode(reset.getValue()).str());
    } else if (auto solver = dyn_cast<ODESolverAttr>(attr)) {
      out.set_s(stringifyODESolver(solver.getValue()).str());
    } else if (auto schedule = dyn_cast<ODEScheduleAttr>(attr)) {
      out.set_s(stringifyODESchedule(schedule.getValue()).str());
    } else if (auto direction = dyn_cast<RecurrentDirectionAttr>(attr)) {
      out.set_s(stringifyRecurrentDirection(direction.getValue()).str());
    } else if (auto a = dyn_cast<ArrayAttr>(attr);
               a && isArrayOf<RecurrentActivationAttr>(a)) {
      // The runtime reads activations by ONNX's names.
      auto *list = out.mutable_strings();
      for (Attribute v : a)
        list->add_values(stringifyRecurrentActivation(
                             cast<RecurrentActivationAttr>(v).getValue())
                             .str());
    } else {
      return op->emitOpError("attribute '")
             << name << "' cannot be written to the artifact";
    }
    return success();
  }

  using InstructionList = google::protobuf::RepeatedPtrField<pb::Instruction>;

  /// Emits the ops of `block` into `list`; a terminator other than
  /// func.return is left to the caller.
  LogicalResult emitBlock(Block &block, InstructionList *list,
                          func::FuncOp func) {
    for (Operation &op : block)
      if (!isa<YieldOp>(op) && failed(emit(&op, list, func)))
        return failure();
    return success();
  }

  /// The input ids of `op`. Operand groups of ops with optional operands
  /// (AttrSizedOperandSegments) that are empty become kAbsentValue, except
  /// a trailing variadic group (cim.loop's carried values).
  FailureOr<SmallVector<uint32_t>> inputIds(Operation *op,
                                            unsigned numDataOperands) {
    SmallVector<uint32_t> ids;
    auto segments = op->getAttrOfType<DenseI32ArrayAttr>("operandSegmentSizes");
    if (!segments) {
      for (Value operand : op->getOperands().take_front(numDataOperands)) {
        FailureOr<uint32_t> id = use(operand, op);
        if (failed(id))
          return failure();
        ids.push_back(*id);
      }
      return ids;
    }
    unsigned next = 0;
    ArrayRef<int32_t> sizes = segments.asArrayRef();
    bool lastIsVariadic = isa<LoopOp>(op);
    for (auto [i, size] : llvm::enumerate(sizes)) {
      if (size == 0 && !(lastIsVariadic && i + 1 == sizes.size()))
        ids.push_back(kAbsentValue);
      for (int32_t k = 0; k < size; ++k) {
        FailureOr<uint32_t> id = use(op->getOperand(next++), op);
        if (failed(id))
          return failure();
        ids.push_back(*id);
      }
    }
    return ids;
  }

  LogicalResult emitInstruction(Operation *op, InstructionList *list,
                                func::FuncOp func) {
    pb::Instruction *inst = list->Add();
    inst->set_kernel(op->getName().getStringRef().str());
    inst->set_location(describe(op->getLoc()));
    if (isPartialSum(op))
      inst->set_charge(pb::CHARGE_DIGITAL_OP);
    else if (isDigitalActivation(op))
      inst->set_charge(pb::CHARGE_ACTIVATION);
    if (inst->charge() != pb::CHARGE_NONE || isa<ODEOp>(op))
      inst->set_layer(layerName(op->getLoc()));
    if (isa<LIFOp>(op))
      inst->set_layer(lifLayerName(op));
    // tosa.transpose takes its permutation as a constant operand; the runtime
    // takes it as an attribute.
    unsigned numDataOperands = op->getNumOperands();
    if (auto transpose = dyn_cast<tosa::TransposeOp>(op)) {
      DenseIntElementsAttr perms;
      if (!matchPattern(transpose.getPerms(), m_Constant(&perms)))
        return op->emitOpError("permutation must be a constant");
      if (failed(setAttr(inst, op, "perms", perms)))
        return failure();
      numDataOperands = 1;
    }
    FailureOr<SmallVector<uint32_t>> inputs = inputIds(op, numDataOperands);
    if (failed(inputs))
      return failure();
    for (uint32_t id : *inputs)
      inst->add_inputs(id);
    for (NamedAttribute attr : op->getAttrs())
      if (attr.getName() != "operandSegmentSizes" &&
          failed(setAttr(inst, op, attr.getName(), attr.getValue())))
        return failure();
    for (Region &region : op->getRegions()) {
      if (!region.hasOneBlock())
        return op->emitOpError("regions must have one block to be emitted");
      Block &block = region.front();
      pb::Region *out = inst->add_regions();
      for (BlockArgument arg : block.getArguments())
        out->add_arguments(define(arg));
      if (failed(emitBlock(block, out->mutable_instructions(), func)))
        return failure();
      for (Value v : block.getTerminator()->getOperands()) {
        FailureOr<uint32_t> id = use(v, op);
        if (failed(id))
          return failure();
        out->add_results(*id);
      }
    }
    // Results are defined after the regions, whose values come first in
    // execution order.
    for (Value result : op->getResults())
      inst->add_outputs(define(result));
    return success();
  }

  LogicalResult emitMVM(MVMOp op, InstructionList *list) {
    auto tile = tileIds.find(op.getTile());
    if (tile == tileIds.end())
      return op.emitOpError("tile is not produced by a cim.program_tile");
    pb::Instruction *inst = list->Add();
    inst->set_kernel("cim.mvm");
    inst->set_location(describe(op.getLoc()));
    inst->set_layer(layerName(op.getLoc()));
    FailureOr<uint32_t> input = use(op.getInput(), op);
    if (failed(input))
      return failure();
    inst->add_inputs(*input);
    if (Value carry = op.getCarry()) {
      FailureOr<uint32_t> id = use(carry, op);
      if (failed(id))
        return failure();
      inst->add_inputs(*id);
    }
    (*inst->mutable_attrs())["tile"].set_i(tile->second);
    (*inst->mutable_attrs())["row_offset"].set_i(op.getRowOffset());
    if (op.getBiasRow())
      (*inst->mutable_attrs())["bias_row"].set_i(1);
    inst->add_outputs(define(op.getResult()));
    return success();
  }

  LogicalResult emit(Operation *op, InstructionList *list, func::FuncOp func) {
    if (op->hasTrait<OpTrait::ConstantLike>())
      return success(); // written on first use
    if (auto tile = dyn_cast<ProgramTileOp>(op))
      return emitTile(tile);
    if (auto mvm = dyn_cast<MVMOp>(op))
      return emitMVM(mvm, list);
    if (isa<LinearOp>(op))
      return op->emitOpError("is not tiled yet; run cim-tile-weights before "
                             "emitting the artifact");
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
        FailureOr<uint32_t> id = use(v, op);
        if (failed(id))
          return failure();
        program->add_outputs(*id);
        auto name = func.getResultAttrOfType<StringAttr>(i, kOnnxNameAttr);
        pb::Value *value = program->mutable_values(*id);
        if (value->name().empty())
          value->set_name(name ? name.str() : "output" + std::to_string(i));
      }
      return success();
    }
    if (!digitalKernels().contains(op->getName().getStringRef()))
      return op->emitOpError("has no runtime kernel and cannot be emitted");
    return emitInstruction(op, list, func);
  }

  pb::Artifact &artifact;
  TileSink sink;
  std::vector<Operation *> *tileOps = nullptr;
  uint32_t numTiles = 0;
  TargetAttr target;
  pb::Program *program = nullptr;
  DenseMap<Value, uint32_t> ids;
  DenseMap<Value, uint32_t> tileIds;
};
} // namespace

namespace {
/// Protobuf output into an llvm::raw_ostream.
class RawOstreamOutput : public google::protobuf::io::CopyingOutputStream {
public:
  explicit RawOstreamOutput(llvm::raw_ostream &os) : os(os) {}
  bool Write(const void *buffer, int size) override {
    os.write(static_cast<const char *>(buffer), size);
    return true; // the caller checks the stream's error state
  }

private:
  llvm::raw_ostream &os;
};
} // namespace

LogicalResult cim::emitArtifact(ModuleOp module, llvm::raw_ostream &os,
                                bool text, std::vector<Operation *> *tileOps) {
  pb::Artifact artifact;
  if (text) {
    if (failed(Emitter(artifact, nullptr, tileOps).run(module)))
      return failure();
    std::string bytes;
    google::protobuf::TextFormat::PrintToString(artifact, &bytes);
    os << bytes;
    return success();
  }
  // Tile images, the bulk of an artifact, are written as they are built
  // (as `tiles` fields, in order) and then dropped; the rest of the
  // artifact follows. Protobuf merges the fields, so this parses as one
  // message. Map fields (instruction attributes) are written in key
  // order, so one module always gives the same bytes.
  RawOstreamOutput raw(os);
  google::protobuf::io::CopyingOutputStreamAdaptor adaptor(&raw);
  google::protobuf::io::CodedOutputStream coded(&adaptor);
  coded.SetSerializationDeterministic(true);
  auto writeTile = [&](pb::Tile &tile) {
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        pb::Artifact::kTilesFieldNumber,
        google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(tile.ByteSizeLong()));
    tile.SerializeWithCachedSizes(&coded);
    return !coded.HadError();
  };
  if (failed(Emitter(artifact, writeTile, tileOps).run(module)))
    return failure();
  if (!artifact.SerializeToCodedStream(&coded) || coded.HadError())
    return module.emitError("artifact could not be serialised");
  return success();
}
