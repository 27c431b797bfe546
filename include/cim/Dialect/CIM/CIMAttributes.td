//===- CIMAttributes.td - CIM attributes -------------------*- tablegen -*-===//
//
// Enumerations and attributes: cell technologies, weight encodings, readouts
// and the hardware target description.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMATTRIBUTES_TD
#define CIM_DIALECT_CIM_CIMATTRIBUTES_TD

include "cim/Dialect/CIM/CIMDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def CIM_CellTechRRAM : I32EnumAttrCase<"rram", 1>;
def CIM_CellTechROM : I32EnumAttrCase<"rom", 2>;
def CIM_CellTechSRAM : I32EnumAttrCase<"sram", 3>;
def CIM_CellTech : I32EnumAttr<"CellTech", "memory cell technology of an array",
    [CIM_CellTechRRAM, CIM_CellTechROM, CIM_CellTechSRAM]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_CellTechAttr : EnumAttr<CIM_Dialect, CIM_CellTech, "cell"> {
  let summary = "memory cell technology: rram, rom or sram";
}

def CIM_EncodingDifferential : I32EnumAttrCase<"differential", 1>;
def CIM_EncodingOffset : I32EnumAttrCase<"offset", 2>;
def CIM_WeightEncoding : I32EnumAttr<"WeightEncoding",
    "how signed weights are stored in cells",
    [CIM_EncodingDifferential, CIM_EncodingOffset]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_WeightEncodingAttr : EnumAttr<CIM_Dialect, CIM_WeightEncoding, "encoding"> {
  let summary = "weight encoding: `differential` (g+ - g-, two columns per "
                "weight) or `offset` (one column plus a shared reference column)";
}

def CIM_ADCKindUniform : I32EnumAttrCase<"uniform", 1>;
def CIM_ADCKindRamp : I32EnumAttrCase<"ramp", 2>;
def CIM_ADCKindSign : I32EnumAttrCase<"sign", 3>;
def CIM_ADCKind : I32EnumAttr<"ADCKind", "kind of column converter",
    [CIM_ADCKindUniform, CIM_ADCKindRamp, CIM_ADCKindSign]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}

def CIM_ResetZero : I32EnumAttrCase<"zero", 1>;
def CIM_ResetSubtract : I32EnumAttrCase<"subtract", 2>;
def CIM_ResetMode : I32EnumAttr<"ResetMode",
    "what a LIF neuron's membrane becomes after a spike",
    [CIM_ResetZero, CIM_ResetSubtract]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}

def CIM_CodingSpikes : I32EnumAttrCase<"spikes", 1>;
def CIM_CodingRate : I32EnumAttrCase<"rate", 2>;
def CIM_CodingLatency : I32EnumAttrCase<"latency", 3>;
def CIM_InputCoding : I32EnumAttr<"InputCoding",
    "how a tile's rows are driven when not by DAC levels",
    [CIM_CodingSpikes, CIM_CodingRate, CIM_CodingLatency]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_InputCodingAttr : EnumAttr<CIM_Dialect, CIM_InputCoding, "coding"> {
  let summary = "pulsed rows: spikes, rate or latency codes";
}

def CIM_ResetModeAttr : EnumAttr<CIM_Dialect, CIM_ResetMode, "reset"> {
  let summary = "a LIF neuron's reset: zero or subtract";
}

// A real-valued parameter, written as a decimal number; read it with
// `.convertToDouble()`.
class CIM_RealParameter<string desc, string default = "">
    : AttrOrTypeParameter<"::llvm::APFloat", desc> {
  let comparator = "$_lhs.bitwiseIsEqual($_rhs)";
  let defaultValue = default;
}

def CIM_DirectionForward : I32EnumAttrCase<"forward", 1>;
def CIM_DirectionReverse : I32EnumAttrCase<"reverse", 2>;
def CIM_DirectionBidirectional : I32EnumAttrCase<"bidirectional", 3>;
def CIM_RecurrentDirection : I32EnumAttr<"RecurrentDirection",
    "direction of a recurrent layer",
    [CIM_DirectionForward, CIM_DirectionReverse, CIM_DirectionBidirectional]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_RecurrentDirectionAttr
    : EnumAttr<CIM_Dialect, CIM_RecurrentDirection, "direction"> {
  let summary = "Direction of a recurrent layer: `forward`, `reverse` or "
                "`bidirectional` (ONNX's)";
  let assemblyFormat = "$value";
}

// The activation functions of ONNX's recurrent ops, spelled as ONNX spells
// them (the artifact carries these names). Their parameters and defaults:
// `cim::getActivationParams`.
def CIM_ActRelu : I32EnumAttrCase<"Relu", 1>;
def CIM_ActTanh : I32EnumAttrCase<"Tanh", 2>;
def CIM_ActSigmoid : I32EnumAttrCase<"Sigmoid", 3>;
def CIM_ActAffine : I32EnumAttrCase<"Affine", 4>;
def CIM_ActLeakyRelu : I32EnumAttrCase<"LeakyRelu", 5>;
def CIM_ActThresholdedRelu : I32EnumAttrCase<"ThresholdedRelu", 6>;
def CIM_ActScaledTanh : I32EnumAttrCase<"ScaledTanh", 7>;
def CIM_ActHardSigmoid : I32EnumAttrCase<"HardSigmoid", 8>;
def CIM_ActElu : I32EnumAttrCase<"Elu", 9>;
def CIM_ActSoftsign : I32EnumAttrCase<"Softsign", 10>;
def CIM_ActSoftplus : I32EnumAttrCase<"Softplus", 11>;
def CIM_RecurrentActivation : I32EnumAttr<"RecurrentActivation",
    "activation function of a recurrent layer",
    [CIM_ActRelu, CIM_ActTanh, CIM_ActSigmoid, CIM_ActAffine,
     CIM_ActLeakyRelu, CIM_ActThresholdedRelu, CIM_ActScaledTanh,
     CIM_ActHardSigmoid, CIM_ActElu, CIM_ActSoftsign, CIM_ActSoftplus]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_RecurrentActivationAttr
    : EnumAttr<CIM_Dialect, CIM_RecurrentActivation, "activation"> {
  let summary = "Activation function of a recurrent layer (ONNX's names)";
  let assemblyFormat = "$value";
}
def CIM_RecurrentActivationArrayAttr
    : TypedArrayAttrBase<CIM_RecurrentActivationAttr,
                         "recurrent activation functions">;

def CIM_SolverEuler : I32EnumAttrCase<"euler", 1>;
def CIM_SolverRK4 : I32EnumAttrCase<"rk4", 2>;
def CIM_ODESolver : I32EnumAttr<"ODESolver", "fixed-step ODE solver",
    [CIM_SolverEuler, CIM_SolverRK4]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_ODESolverAttr : EnumAttr<CIM_Dialect, CIM_ODESolver, "solver"> {
  let summary = "ODE solver: explicit `euler` or classic `rk4`";
  let assemblyFormat = "$value";
}

def CIM_ScheduleDigital : I32EnumAttrCase<"digital", 1>;
def CIM_ScheduleAnalog : I32EnumAttrCase<"analog", 2>;
def CIM_ODESchedule : I32EnumAttr<"ODESchedule",
    "where an ODE's solver steps run",
    [CIM_ScheduleDigital, CIM_ScheduleAnalog]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_ODEScheduleAttr : EnumAttr<CIM_Dialect, CIM_ODESchedule, "schedule"> {
  let summary = "ODE schedule: `digital` (conversions around every layer "
                "at every step) or `analog` (integrators; conversions at the "
                "boundary only)";
}

class CIM_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<CIM_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def CIM_ADCReadoutAttr : CIM_Attr<"ADCReadout", "adc"> {
  let summary = "column readout through a uniform n-bit ADC";
  let description = [{
    The column current (or charge) is digitised by a uniform ADC of `bits`
    bits over the column's full-scale range.

    ```mlir
    #cim.adc<bits = 8>
    ```
  }];
  let parameters = (ins "unsigned":$bits);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

// The steps of a fused activation, printed `[clamp(-3, 3), sigmoid]`:
// structured in the IR and in the artifact (cim/Macro/Readout.h).
def CIM_RampStepsParameter
    : ArrayRefParameter<"::cim::macro::RampStep",
                        "the fused activation's steps, in order"> {
  let parser = [{ ::cim::parseRampSteps($_parser) }];
  let printer = [{ ::cim::printRampSteps($_printer, $_self) }];
}

def CIM_RampReadoutAttr : CIM_Attr<"RampReadout", "ramp"> {
  let summary = "column readout through a ramp ADC with a fused activation";
  let description = [{
    A `bits`-bit ramp ADC whose pre-distorted ramp computes the monotonic
    function of the column's pre-activation v in [lo, hi]. The function
    is a list of `steps` applied in order: `tanh`, `sigmoid`, `exp`, `log`,
    `relu`, `clamp(lo, hi)`, `mul(c)`, `add(c)` (e.g. `[clamp(-3, 3),
    sigmoid]`, `[mul(0.2), add(0.5), clamp(0, 1)]`).
    The ADC reads v: the counter stops at the first threshold
    above v, and the output is `levels[k]`, k the number of `thresholds`
    at or below v. The ramp comes from an extra column of cells whose
    conductances (`conductances_us`, analog-tuned, not quantised to the
    array's cell levels) are the steps between thresholds; the simulator
    programs them with the weights' non-idealities. `max_error_lsb` and `rms_error_lsb`
    are the realised ramp's error against the exact function over [lo, hi],
    in output LSB. `cim-fuse-activations` computes it.

    ```mlir
    #cim.ramp<bits = 5, steps = [tanh], lo = -3.0, hi = 3.0,
              thresholds = [...], levels = [...], conductances_us = [...],
              max_error_lsb = 0.5, rms_error_lsb = 0.29>
    ```
  }];
  let parameters = (ins "unsigned":$bits,
                        CIM_RampStepsParameter:$steps,
                        CIM_RealParameter<"lowest pre-activation">:$lo,
                        CIM_RealParameter<"highest pre-activation">:$hi,
                        "::mlir::DenseF64ArrayAttr":$thresholds,
                        "::mlir::DenseF64ArrayAttr":$levels,
                        "::mlir::DenseF64ArrayAttr":$conductances_us,
                        CIM_RealParameter<"largest error, LSB">:$max_error_lsb,
                        CIM_RealParameter<"RMS error, LSB">:$rms_error_lsb);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def CIM_SignReadoutAttr : CIM_Attr<"SignReadout", "sign"> {
  let summary = "binary neurons: a sign comparator per column (no ADC)";
  let description = [{
    The columns are binary neurons, as on RRAM bridges read by capacitive
    sign neurons: each bridge (a +-1 weight as an LRS/HRS or HRS/LRS pair of
    cells) is a voltage divider, the columns' capacitors share the charge
    of `fan_in` bridges, and a comparator decides the sign against a
    reference. The neuron of column c computes the model's float32 steps
    v = ((q + pre[c]) * scale[c]) + bias[c] on the pre-activation q and
    outputs +1 if v > cmp[c], -1 if v < cmp[c] and `tie` at equality
    (ONNX Sign: 0; `Where(v > c, 1, -1)`: -1; `Where(v >= c, 1, -1)`: +1);
    the simulator's ideal mode replays the steps exactly. A device's
    comparator decides q against `reference[c]` (in units of q), above it
    for a positive scale and below it for a negative one (the column's
    bridges read swapped); it has no zero output, so a tie of Sign reads
    -1. `cim-fuse-sign-neurons` sets the steps from BatchNormalization (or
    a bias) and Sign after a product of +-1 weights, and the reference
    midway between the two pre-activations a column can reach where the
    output changes when its inputs are +-1 (else where v crosses cmp).

    ```mlir
    #cim.sign<fan_in = 784, pre = [0.0], scale = [0.5], bias = [-1.5],
              cmp = [0.0], tie = 0.0, reference = [3.0]>
    ```
  }];
  let parameters = (ins "unsigned":$fan_in,
                        "::mlir::DenseF32ArrayAttr":$pre,
                        "::mlir::DenseF32ArrayAttr":$scale,
                        "::mlir::DenseF32ArrayAttr":$bias,
                        "::mlir::DenseF32ArrayAttr":$cmp,
                        CIM_RealParameter<"output at v = cmp">:$tie,
                        "::mlir::DenseF64ArrayAttr":$reference);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Columns.
    size_t size() const { return getScale().size(); }
    /// Column c's neuron.
    ::cim::macro::BinaryNeuron neuron(size_t c) const;
    /// Columns [first, first + count).
    SignReadoutAttr slice(size_t first, size_t count) const;
  }];
}

def CIM_ChargeReadoutAttr : CIM_Attr<"ChargeReadout", "charge"> {
  let summary = "no readout: the columns' charge goes on to binary neurons";
  let description = [{
    A partial product of binary neurons whose fan-in is split over several
    arrays: the bridges' charge stays on the columns' capacitors and is
    shared with the next group's (the `carry` of the `cim.mvm` that reads
    the next group), up to the group whose `#cim.sign` comparators decide.
    No converter reads it.

    ```mlir
    #cim.charge
    ```
  }];
}

def CIM_ArrayKindAttr : CIM_Attr<"ArrayKind", "array"> {
  let summary = "one kind of array of a target: size, cells, encoding, count";
  let description = [{
    `count` arrays of `rows` x `cols` cells of technology `cell`, each cell
    holding `bits_per_cell` bits; signed weights use `encoding`. With
    `weight_bits` above `bits_per_cell`, each weight is bit-sliced over
    `ceil(weight_bits / bits_per_cell)` cells (pairs) in separate columns,
    whose column results are shifted and added in the digital unit. Analog
    (RRAM) cells may give their conductance range `g_min_us` to `g_max_us`
    in microsiemens; the normalised conductances of a tile image map onto it.
    `spare_rows` and `spare_cols` of each array hold no weights: tiles use
    at most `rows - spare_rows` rows and `cols - spare_cols` columns, and a
    device remaps faulty rows and columns onto the spares at programming.

    ```mlir
    #cim.array<name = "rom", cell = rom, rows = 256, cols = 256,
               bits_per_cell = 1, count = 4096, encoding = differential>
    ```
  }];
  let parameters = (ins
    StringRefParameter<"name of this kind of array">:$name,
    "::cim::CellTech":$cell,
    "unsigned":$rows,
    "unsigned":$cols,
    "unsigned":$bits_per_cell,
    "unsigned":$count,
    "::cim::WeightEncoding":$encoding,
    DefaultValuedParameter<"unsigned", "0",
        "weight precision; 0: one cell (pair) per weight">:$weight_bits,
    CIM_RealParameter<"lowest programmable conductance in uS (analog cells)",
        "::llvm::APFloat(0.0)">:$g_min_us,
    CIM_RealParameter<"highest programmable conductance in uS; 0: not given",
        "::llvm::APFloat(0.0)">:$g_max_us,
    DefaultValuedParameter<"unsigned", "0",
        "rows of each array kept to replace faulty ones">:$spare_rows,
    DefaultValuedParameter<"unsigned", "0",
        "columns of each array kept to replace faulty ones">:$spare_cols
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Cells (pairs) per weight: 1 unless weights are bit-sliced.
    unsigned getSlices() const {
      return ::cim::macro::weightSlices(getWeightBits(), getBitsPerCell());
    }
    /// Array columns needed to store `logicalCols` weight columns (of
    /// `slices` cells each; 0: the kind's).
    unsigned physicalCols(unsigned logicalCols, unsigned slices = 0) const;
    /// Largest number of weight columns one array holds (of `slices` cells
    /// each; 0: the kind's).
    unsigned maxLogicalCols(unsigned slices = 0) const;
    /// Cells (pairs) per weight of `weightBits` (0: the kind's).
    unsigned slicesFor(unsigned weightBits) const {
      return ::cim::macro::weightSlices(weightBits ? weightBits : getWeightBits(),
                                        getBitsPerCell());
    }
    /// Rows and columns of one array that hold weights (its spares
    /// excluded).
    unsigned usableRows() const {
      return ::cim::macro::usableLines(getRows(), getSpareRows());
    }
    unsigned usableCols() const {
      return ::cim::macro::usableLines(getCols(), getSpareCols());
    }
    /// Arrays needed to hold a `k` x `n` weight matrix.
    uint64_t arraysFor(int64_t k, int64_t n) const {
      return uint64_t((k + usableRows() - 1) / usableRows()) *
             uint64_t((n + maxLogicalCols() - 1) / maxLogicalCols());
    }
    /// Cells of one array that hold weights (its spares excluded).
    uint64_t cellsPerArray() const {
      return uint64_t(usableRows()) * usableCols();
    }
  }];
}

def CIM_LIFAttr : CIM_Attr<"LIF", "lif"> {
  let summary = "leaky integrate-and-fire neurons at the columns";
  let description = [{
    Each column charges a membrane: v <- (1 - leak) * v + I; when v reaches
    `threshold` the neuron spikes and v is reset to zero (`reset = zero`) or
    lowered by the threshold (`reset = subtract`). Currents and the threshold
    are in the column's normalised units.

    ```mlir
    #cim.lif<threshold = 1.0, leak = 0.1, reset = zero>
    ```
  }];
  let parameters = (ins CIM_RealParameter<"firing threshold">:$threshold,
                        CIM_RealParameter<"fraction lost per step">:$leak,
                        "::cim::ResetMode":$reset);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def CIM_IntegratorAttr : CIM_Attr<"Integrator", "integrator"> {
  let summary = "analog integrators that hold a state between array reads";
  let description = [{
    A capacitor per column accumulates v <- (1 - leak) * v + gain * I per
    step, with `gain` up to `gain_max` (set from a solver's step size),
    clamped to [-v_sat, v_sat]; each step adds Gaussian noise of standard
    deviation `noise` (normalised units).

    ```mlir
    #cim.integrator<gain_max = 1.0, leak = 0.0, v_sat = 4.0, noise = 0.0>
    ```
  }];
  let parameters = (ins CIM_RealParameter<"largest gain per step">:$gain_max,
                        CIM_RealParameter<"fraction lost per step">:$leak,
                        CIM_RealParameter<"saturation level">:$v_sat,
                        CIM_RealParameter<"noise sigma per step">:$noise);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def CIM_TargetAttr : CIM_Attr<"Target", "target"> {
  let summary = "the compute-in-memory hardware a module is compiled for";
  let description = [{
    The kinds of arrays of one macro (one per cell technology) and how many
    macros there are; the converters at the arrays' edge (with `input_bits`
    above `dac_bits`, inputs are driven bit-serially in several passes;
    `adc_kind` is a uniform ADC, a ramp ADC or, at one bit, a sign
    comparator); optional LIF neurons and analog integrators at the columns;
    the lanes of the digital unit; and the energy, latency and area figures
    of the cost model (`costs`, see the target description page). Attached
    to the module as `cim.target`.

    ```mlir
    module attributes {cim.target = #cim.target<name = "generic-rram",
        arrays = [#cim.array<name = "rram", cell = rram, rows = 128,
                  cols = 128, bits_per_cell = 4, count = 1024,
                  encoding = differential>],
        dac_bits = 8, adc_bits = 8>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"preset or file the target came from">:$name,
    "::mlir::ArrayAttr":$arrays,
    "unsigned":$dac_bits,
    "unsigned":$adc_bits,
    OptionalParameter<"::mlir::DictionaryAttr">:$costs,
    DefaultValuedParameter<"unsigned", "0",
        "input precision; above dac_bits inputs are bit-serial">:$input_bits,
    DefaultValuedParameter<"::cim::ADCKind", "::cim::ADCKind::uniform",
        "column converter: uniform, ramp or sign comparator">:$adc_kind,
    DefaultValuedParameter<"unsigned", "1",
        "macros; every array count is per macro">:$macros,
    DefaultValuedParameter<"unsigned", "1",
        "parallel lanes of the digital unit">:$digital_lanes,
    OptionalParameter<"::cim::LIFAttr">:$lif,
    OptionalParameter<"::cim::IntegratorAttr">:$integrator,
    DefaultValuedParameter<"bool", "false",
        "capacitive sign neurons that read RRAM bridges">:$bridge_neurons
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The kind of array of cell technology `cell`, or null.
    ArrayKindAttr lookupArray(::cim::CellTech cell) const;
    /// The same target with `macros` macros (a board of several).
    TargetAttr withMacros(unsigned macros) const;
    /// The first kind of array: where weights go without a placement.
    ArrayKindAttr getDefaultArray() const;
    /// Arrays of `kind` over all macros.
    uint64_t totalArrays(ArrayKindAttr kind) const {
      return uint64_t(kind.getCount()) * getMacros();
    }
    /// A cost figure from `costs`, or `fallback`.
    double getCost(::llvm::StringRef key, double fallback) const;
    /// DAC passes per input vector: 1, or more when inputs of `input_bits`
    /// are driven bit-serially through a DAC of fewer bits (magnitude
    /// digits of dac_bits - 1 bits; the sign is the drive polarity).
    unsigned getInputPasses() const {
      return ::cim::macro::inputPasses(getInputBits(), getDacBits());
    }
  }];
}

#endif // CIM_DIALECT_CIM_CIMATTRIBUTES_TD
