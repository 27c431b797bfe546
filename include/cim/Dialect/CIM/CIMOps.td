//===- CIMOps.td - CIM operations --------------------------*- tablegen -*-===//
//
// Operations of the cim dialect, from the model-level matrix product the
// importer produces down to programmed tiles and analog MVMs.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMOPS_TD
#define CIM_DIALECT_CIM_CIMOPS_TD

include "cim/Dialect/CIM/CIMTypes.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

class CIM_Op<string mnemonic, list<Trait> traits = []>
    : Op<CIM_Dialect, mnemonic, traits>;

def CIM_MatMulOp : CIM_Op<"matmul", [Pure]> {
  let summary = "matrix product with ONNX MatMul (numpy) semantics";
  let description = [{
    `lhs` times `rhs` with numpy semantics: 2-D operands multiply as matrices,
    higher ranks are stacks of matrices with broadcast batch dimensions, and a
    1-D operand is a vector. The importer produces it for ONNX MatMul and Gemm.
    `cim-map-matmuls` moves the ones with a constant 2-D `rhs` onto arrays; the
    rest run in the digital unit. `weight_name` keeps the ONNX initializer
    name of `rhs`, which placement rules match.

    ```mlir
    %y = cim.matmul %a, %b : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                       OptionalAttr<StrAttr>:$weight_name);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CIM_LinearOp : CIM_Op<"linear", [Pure]> {
  let summary = "analog product of an input with a constant weight matrix";
  let description = [{
    `input` (shape `[..., K]`) times the constant weight matrix `weight`
    (`K x N`), read out through `readout`. With `bias_row` the weight has
    K + 1 rows and its last row, driven by a constant 1, is a bias.
    `weight_bits` (set by `cim-choose-precision`) is the precision its
    weights are quantised to, bit-sliced over the cells of its kind of
    array; absent, the kind's. `replica` (set by `cim-replicate-weights`)
    numbers the copies of a product programmed into separate arrays, whose
    results are averaged. A `#cim.charge` readout leaves the columns'
    charge to the LIF neurons of a `cim.lif` (no ADC); `step` is then the
    time step the read belongs to (the array is driven again at every
    step, so reads of different steps are different reads).
    `input_coding` says how its rows are driven when not by DAC levels:
    `spikes` (0/1 inputs, a pulse per spike), `rate` or `latency` (each
    row's DAC code as that many pulses, or as one pulse whose time in the
    step gives it; the same value as the DAC). The weight is
    not yet placed on arrays:
    `cim-tile-weights` splits it into `cim.program_tile` and `cim.mvm` ops.

    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>}
        : tensor<?x64xf32>, tensor<64x32xf32> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       AnyAttrOf<[CIM_ADCReadoutAttr, CIM_RampReadoutAttr,
                                  CIM_SignReadoutAttr,
                                  CIM_ChargeReadoutAttr]>:$readout,
                       OptionalAttr<CIM_CellTechAttr>:$placement,
                       OptionalAttr<StrAttr>:$weight_name,
                       UnitAttr:$bias_row,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$weight_bits,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$replica,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$step,
                       OptionalAttr<CIM_InputCodingAttr>:$input_coding);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The kind of array of `target` the weight goes to: its placement's,
    /// else the target's first; null if the target has no such kind.
    ArrayKindAttr getArrayKind(TargetAttr target);
  }];
}

def CIM_ProgramTileOp : CIM_Op<"program_tile", [Pure]> {
  let summary = "program a block of weights into an array";
  let description = [{
    Writes the constant `weights` block (`rows x cols`) into one array of the
    module's target, using `encoding` for signed values, and yields the tile.
    The block must fit the target's array (a differential encoding needs two
    array columns per weight column). After `cim-pack-tiles`, `array` is the
    index of the physical array (of the tile's kind) that holds the block,
    and `array_row`/`array_col` its corner in that array, in cells; blocks
    sharing an array never overlap. `reload` marks a tile of a time-shared
    kind of array: its weights are written at every inference. `analog`
    marks a tile read without converters (inside an analog ODE schedule):
    its rows are driven by analog voltages and its columns feed the next
    analog stage, with no DAC and no ADC. `lif` marks a tile whose columns
    feed LIF neurons: no ADC; its slices' charges merge by their weights on
    the column and its MVMs (`#cim.charge`) pass the charge on, row block
    to row block as `carry`, to the neuron. `ramp` is the ramp readout of the
    tile's columns, set when its products fuse an activation: the ramp
    column is part of the tile, so tiles with equal weights but different
    ramps stay distinct. `weight_bits` is the precision the weights are
    quantised to (bit-sliced over the array's cells); absent, the array
    kind's. `adc_windows` holds, after calibration (`cim-compile
    --calibration-data`), the ADC window `[lo, hi]` of every
    column of every slice, least significant slice first, as `lo, hi`
    pairs in the normalised units of the macro model; absent, each window
    is its column's worst case. `codes`, also from calibration, is the
    integer code the device programs for each weight (rows x cols; the
    weight realised is code / L on the column's scale, L = 2^bits - 1 of
    the weight bits when sliced, else of the cell's; odd for offset cells),
    chosen so that the column results on the data are close to the exact
    ones (data-aware rounding); absent, each weight's nearest code.
    `scales` is each column's scale, the weight the largest conductance
    stands for (at least the column's largest |w|); absent, the column's
    largest |w|. A product whose weights sit exactly on a grid of levels
    (a QDQ model's integers) keeps its whole columns' scales in every row
    block, so that each block holds the same levels.
    `replica` keeps the copies of a replicated
    product apart (each is programmed into its own cells). `input_means`,
    also from calibration and on tiles read by binary neurons, is the mean
    of each row's input over the data: a device that finds a bridge broken
    (a cell stuck in its partner's state, which reads 0) adds the bridge's
    expected charge, mean times weight, to its column. `input_coding` is
    how its rows are driven when not by DAC levels (its products').

    ```mlir
    %t = cim.program_tile %w {encoding = #cim<encoding differential>}
        : tensor<64x32xf32> -> !cim.tile<64x32, rram>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$weights,
                       CIM_WeightEncodingAttr:$encoding,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$array,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$array_row,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$array_col,
                       UnitAttr:$reload,
                       UnitAttr:$analog,
                       UnitAttr:$lif,
                       OptionalAttr<CIM_RampReadoutAttr>:$ramp,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$weight_bits,
                       OptionalAttr<DenseF64ArrayAttr>:$adc_windows,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$replica,
                       OptionalAttr<I32ElementsAttr>:$codes,
                       OptionalAttr<DenseF64ArrayAttr>:$input_means,
                       OptionalAttr<CIM_InputCodingAttr>:$input_coding,
                       OptionalAttr<DenseF64ArrayAttr>:$scales);
  let results = (outs CIM_TileType:$tile);
  let assemblyFormat = "$weights attr-dict `:` type($weights) `->` type($tile)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Cells (pairs) per weight on `array`: its weight bits (this tile's
    /// when set) over its bits per cell.
    unsigned getSlices(ArrayKindAttr array);
    /// True if its MVMs read it as RRAM bridges (#cim.sign or #cim.charge
    /// readouts): no ADC.
    bool readByBinaryNeurons();
  }];
}

def CIM_MVMOp : CIM_Op<"mvm", [Pure]> {
  let summary = "analog matrix-vector product on a programmed tile";
  let description = [{
    Drives the tile's rows with `input[..., row_offset : row_offset + rows]`
    (through the target's DACs) and reads the `cols` column results out
    through `readout`. With `bias_row` the tile's last row is driven by a
    constant 1 (a bias row) and the input drives the others. The result has
    the input's leading dimensions and `cols` as its last one. Partial sums
    of a matrix split over several tiles are added explicitly by the
    surrounding IR, except for binary neurons: a `#cim.charge` read leaves
    its columns' charge for the next group, which takes it as `carry`
    (charge sharing between the groups' capacitors), and the last group's
    `#cim.sign` comparators decide on the shared charge. On a `lif` tile a
    `#cim.charge` read passes its columns' charge (its slices merged) on
    in the same way, the last row block's to a `cim.lif` layer; `step` is
    the time step of such a read.

    ```mlir
    %p = cim.mvm %t, %x {row_offset = 0 : i64, readout = #cim.adc<bits = 8>}
        : !cim.tile<64x32, rram>, tensor<?x64xf32> -> tensor<?x32xf32>
    %q = cim.mvm %t1, %x {row_offset = 0 : i64, readout = #cim.charge}
        : !cim.tile<32x32, rram>, tensor<?x64xf32> -> tensor<?x32xf32>
    %s = cim.mvm %t2, %x, %q {row_offset = 32 : i64, readout = #cim.sign<...>}
        : !cim.tile<32x32, rram>, tensor<?x64xf32>, tensor<?x32xf32>
        -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins CIM_TileType:$tile, AnyRankedTensor:$input,
                       Optional<AnyRankedTensor>:$carry,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$row_offset,
                       AnyAttrOf<[CIM_ADCReadoutAttr, CIM_RampReadoutAttr,
                                  CIM_SignReadoutAttr,
                                  CIM_ChargeReadoutAttr]>:$readout,
                       UnitAttr:$bias_row,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$step);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $tile `,` $input (`,` $carry^)? attr-dict `:` type($tile) `,` type($input)
    (`,` type($carry)^)? `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// True if it reads its tile as RRAM bridges (a #cim.sign or
    /// #cim.charge readout, not on a LIF tile): no converter.
    bool readsBridges();
    /// True if it reads a tile whose columns feed LIF neurons.
    bool readsLIFColumns();
  }];
}

//===----------------------------------------------------------------------===//
// Digital-unit ops with ONNX semantics, where TOSA has no equivalent
//===----------------------------------------------------------------------===//

def CIM_CastOp : CIM_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "element type conversion with ONNX Cast semantics";
  let description = [{
    Converts between f32, i64 and i1: float to integer truncates toward zero,
    anything to i1 is `x != 0`, i1 to a number is 0 or 1.

    ```mlir
    %y = cim.cast %x : tensor<?x4xf32> -> tensor<?x4xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def CIM_QuantizeLinearOp : CIM_Op<"quantize_linear", [Pure]> {
  let summary = "ONNX QuantizeLinear: float to integer levels";
  let description = [{
    `saturate(round_half_even(input / scale) + zero_point)` into
    `[min, max]` (the range of the model's 8-bit type, which is widened to
    i64 here), computed in float32 as ONNX's reference does
    (`cim/Macro/Quantize.h`). `scale` and `zero_point` are 1-D of one entry
    (per tensor) or of the input's extent along `axis` (per axis). Folds
    when every operand is constant.

    ```mlir
    %q = cim.quantize_linear %x, %scale, %zp {axis = 1 : i64, min = -128 : i64,
                                            max = 127 : i64}
        : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xi64>) -> tensor<?x4xi64>
    ```
  }];
  let arguments = (ins TensorOf<[F32]>:$input, TensorOf<[F32]>:$scale,
                       TensorOf<[I64]>:$zero_point, I64Attr:$axis,
                       I64Attr:$min, I64Attr:$max);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $zero_point attr-dict `:`
    `(` type($input) `,` type($scale) `,` type($zero_point) `)` `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def CIM_DynamicQuantizeLinearOp : CIM_Op<"dynamic_quantize_linear", [Pure]> {
  let summary = "ONNX DynamicQuantizeLinear: float to uint8 levels by the input's own range";
  let description = [{
    The scale spreads `[min(min(x), 0), max(max(x), 0)]` over the 255 steps
    of uint8 and the zero point puts 0 on a level; the levels are
    `saturate(round_half_even(x / scale) + zero_point)` in `[0, 255]`
    (widened to i64), computed in float32 as ONNX's function body does
    (`cim/Macro/Quantize.h`). Results: the levels, the scale and the zero
    point.

    ```mlir
    %q, %s, %z = cim.dynamic_quantize_linear %x
        : tensor<?x4xf32> -> (tensor<?x4xi64>, tensor<f32>, tensor<i64>)
    ```
  }];
  let arguments = (ins TensorOf<[F32]>:$input);
  let results = (outs TensorOf<[I64]>:$levels, 0DTensorOf<[F32]>:$scale,
                      0DTensorOf<[I64]>:$zero_point);
  let assemblyFormat = [{
    $input attr-dict `:` type($input) `->` `(` type($levels) `,` type($scale)
    `,` type($zero_point) `)`
  }];
  let hasVerifier = 1;
}

def CIM_GatherOp : CIM_Op<"gather", [Pure]> {
  let summary = "ONNX Gather: take entries of `data` along `axis`";
  let description = [{
    The result has shape `data[:axis] + indices + data[axis+1:]`; negative
    indices count from the end of the axis.

    ```mlir
    %y = cim.gather %data, %idx {axis = 0 : i64}
        : tensor<5x4xf32>, tensor<2xi64> -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$data, TensorOf<[I64]>:$indices,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $data `,` $indices attr-dict `:` type($data) `,` type($indices) `->` type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def CIM_ShapeOfOp : CIM_Op<"shape_of", [Pure]> {
  let summary = "ONNX Shape: the dimensions [start, end) of a tensor";
  let description = [{
    Folds to a constant when those dimensions are static.

    ```mlir
    %s = cim.shape_of %x {start = 0 : i64, end = 2 : i64} : tensor<?x4xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def CIM_ExpandOp : CIM_Op<"expand", [Pure]> {
  let summary = "ONNX Expand: broadcast to a shape computed at run time";
  let description = [{
    Broadcasts `input` with the 1-D `shape` by numpy's rules (in both
    directions).

    ```mlir
    %y = cim.expand %x, %shape : tensor<1x4xf32>, tensor<2xi64> -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, TensorOf<[I64]>:$shape);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` type($input) `,` type($shape) `->` type($result)
  }];
}

def CIM_ConstantOfShapeOp : CIM_Op<"constant_of_shape", [Pure]> {
  let summary = "ONNX ConstantOfShape: a tensor of a run-time shape filled with one value";
  let description = [{
    ```mlir
    %z = cim.constant_of_shape %shape {value = 0.0 : f64} : tensor<3xi64> -> tensor<1x?x8xf32>
    ```
  }];
  let arguments = (ins TensorOf<[I64]>:$shape, F64Attr:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$shape attr-dict `:` type($shape) `->` type($result)";
  let hasFolder = 1;
}

def CIM_ReshapeOp : CIM_Op<"reshape", [Pure]> {
  let summary = "ONNX Reshape with a shape computed at run time";
  let description = [{
    A 0 in `shape` copies the input's dimension at that index (unless
    `allowzero`), one -1 is inferred from the element count. Reshapes with a
    constant shape use `tosa.reshape` instead.

    ```mlir
    %y = cim.reshape %x, %shape {allowzero = 0 : i64}
        : tensor<?x6xf32>, tensor<2xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, TensorOf<[I64]>:$shape,
                       I64Attr:$allowzero);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` type($input) `,` type($shape) `->` type($result)
  }];
}

def CIM_SliceOp : CIM_Op<"slice", [Pure]> {
  let summary = "ONNX Slice: strided slice along some axes";
  let description = [{
    `starts`, `ends`, `axes` and `steps` are 1-D i64 tensors of one length,
    with ONNX's clamping rules for out-of-range and negative values.

    ```mlir
    %y = cim.slice %x, %starts, %ends, %axes, %steps
        : tensor<?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64> -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$data, TensorOf<[I64]>:$starts,
                       TensorOf<[I64]>:$ends, TensorOf<[I64]>:$axes,
                       TensorOf<[I64]>:$steps);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $data `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:` type($data) `,`
    type($starts) `,` type($ends) `,` type($axes) `,` type($steps) `->` type($result)
  }];
}

def CIM_SqueezeOp : CIM_Op<"squeeze", [Pure]> {
  let summary = "ONNX Squeeze with axes computed at run time";
  let description = [{
    Removes the dimensions at `axes` (a 1-D i64 tensor of static length k;
    negative axes count from the end), each of which must be 1. The result
    has rank `rank(input) - k`. Squeezes with constant axes use
    `tosa.reshape` instead.

    ```mlir
    %y = cim.squeeze %x, %axes : tensor<1x3x4xf32>, tensor<1xi64> -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, TensorOf<[I64]>:$axes);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` type($input) `,` type($axes) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CIM_UnsqueezeOp : CIM_Op<"unsqueeze", [Pure]> {
  let summary = "ONNX Unsqueeze with axes computed at run time";
  let description = [{
    Inserts a dimension of 1 at each of `axes` (a 1-D i64 tensor of static
    length k; axes index the result, negative ones count from its end).
    The result has rank `rank(input) + k`.

    ```mlir
    %y = cim.unsqueeze %x, %axes : tensor<3x4xf32>, tensor<2xi64> -> tensor<?x?x?x?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, TensorOf<[I64]>:$axes);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` type($input) `,` type($axes) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CIM_ReduceSumOp : CIM_Op<"reduce_sum", [Pure]> {
  let summary = "ONNX ReduceSum with axes computed at run time";
  let description = [{
    Sums over the dimensions at `axes` (a 1-D i64 tensor of static length
    k; negative axes count from the end; an axis may appear once). Empty
    axes sum over every dimension, or with `noop_with_empty_axes` leave the
    input unchanged. With `keepdims` the reduced dimensions stay as 1,
    otherwise they are removed. Reductions over constant axes use
    `tosa.reduce_sum` instead.

    ```mlir
    %y = cim.reduce_sum %x, %axes {keepdims = 1 : i64, noop_with_empty_axes = 0 : i64}
        : tensor<3x2x2xf32>, tensor<1xi64> -> tensor<?x?x?xf32>
    ```
  }];
  let arguments = (ins TensorOf<[F32, I64]>:$input, TensorOf<[I64]>:$axes,
                       I64Attr:$keepdims, I64Attr:$noop_with_empty_axes);
  let results = (outs TensorOf<[F32, I64]>:$result);
  let assemblyFormat = [{
    $input `,` $axes attr-dict `:` type($input) `,` type($axes) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CIM_SplitOp : CIM_Op<"split", [Pure]> {
  let summary = "ONNX Split with sizes computed at run time";
  let description = [{
    Cuts `input` along `axis` into one result per entry of `sizes` (a 1-D
    i64 tensor of static length), in order; the sizes must be non-negative
    and add up to the axis' extent. Splits with constant sizes are slices.

    ```mlir
    %a, %b = cim.split %x, %sizes {axis = 1 : i64}
        : tensor<2x6xf32>, tensor<2xi64> -> tensor<2x?xf32>, tensor<2x?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, TensorOf<[I64]>:$sizes,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $input `,` $sizes attr-dict `:` type($input) `,` type($sizes) `->` type($results)
  }];
  let hasVerifier = 1;
}

def CIM_Im2ColOp : CIM_Op<"im2col", [Pure]> {
  let summary = "the sliding windows of an image, one row per output position";
  let description = [{
    The patches of a convolution or a pool, gathered in the digital unit so
    that a convolution becomes a product with its kernel unrolled as a
    (C x K1 x ... x Kk) by M matrix, weight-stationary on the arrays. The
    input is `[N, C, D1, ..., Dk]` (k = 1 or 2); the result is
    `[N, O1, ..., Ok, C * K1 * ... * Kk]`, the last dimension ordered
    (channel, kernel row, kernel column) as ONNX lays out a Conv weight.
    Output extent `Oi = floor((Di + pads[i] + pads[k + i] - dilations[i] *
    (Ki - 1) - 1) / strides[i]) + 1`, or with `ceil_mode` the ceiling
    (a window must still start inside the input or its leading pad).
    Entries outside the input read `pad_value` (0 for a convolution or an
    average, -inf for a max pool).

    ```mlir
    %p = cim.im2col %x {kernel_shape = [3, 3], strides = [1, 1],
                        pads = [1, 1, 1, 1], dilations = [1, 1],
                        pad_value = 0.0 : f32, ceil_mode = 0 : i64}
        : tensor<?x1x28x28xf32> -> tensor<?x28x28x9xf32>
    ```
  }];
  let arguments = (ins TensorOf<[F32]>:$input, DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations, F32Attr:$pad_value,
                       I64Attr:$ceil_mode);
  let results = (outs TensorOf<[F32]>:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The extent of output dimension `i` for an input extent `size`
    /// (dynamic in, dynamic out).
    int64_t outputExtent(unsigned i, int64_t size);
  }];
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

/// RNN and GRU share operands and attributes; `extraAttrs` adds the
/// op's own.
class CIM_RecurrentOp<string mnemonic, string onnxName, int numGates,
                      dag extraAttrs>
    : CIM_Op<mnemonic, [Pure, AttrSizedOperandSegments]> {
  let summary = "ONNX " # onnxName # " (every attribute, both directions)";
  let description = [{
    The recurrent layer with ONNX's semantics: `direction` is forward,
    reverse or bidirectional; `activations` lists every function of every
    direction, with `activation_alpha` and `activation_beta` filled in for
    each (ONNX defaults applied by the importer); `clip` bounds the gate
    pre-activations; `layout` 1 puts the batch first. Optional operands
    default as in ONNX (zero bias and states, full sequence lengths). This
    op runs in the digital unit until a lowering maps its weights onto
    arrays.

    ```mlir
    %y, %yh = cim.rnn(%x, %w, %r) bias(%b) {activation_alpha = [0.0 : f32],
        activation_beta = [0.0 : f32], activations = [#cim<activation Tanh>],
        direction = #cim<direction forward>, hidden_size = 4 : i64,
        layout = 0 : i64}
        : (tensor<3x2x5xf32>, tensor<1x4x5xf32>, tensor<1x4x4xf32>, tensor<1x8xf32>)
        -> (tensor<3x1x2x4xf32>, tensor<1x2x4xf32>)
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$X, AnyRankedTensor:$W,
                            AnyRankedTensor:$R,
                            Optional<AnyRankedTensor>:$B,
                            Optional<TensorOf<[I64]>>:$sequence_lens,
                            Optional<AnyRankedTensor>:$initial_h,
                            CIM_RecurrentDirectionAttr:$direction,
                            I64Attr:$hidden_size,
                            CIM_RecurrentActivationArrayAttr:$activations,
                            F32ArrayAttr:$activation_alpha,
                            F32ArrayAttr:$activation_beta,
                            OptionalAttr<F32Attr>:$clip, I64Attr:$layout),
                       extraAttrs);
  let results = (outs AnyRankedTensor:$Y, AnyRankedTensor:$Y_h);
  let assemblyFormat = [{
    `(` $X `,` $W `,` $R `)` (`bias` `(` $B^ `)`)? (`lens` `(` $sequence_lens^ `)`)?
    (`h0` `(` $initial_h^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr int kNumGates = }] # numGates # [{;
  }];
}

def CIM_RNNOp : CIM_RecurrentOp<"rnn", "RNN", 1, (ins)>;
def CIM_GRUOp : CIM_RecurrentOp<"gru", "GRU", 3, (ins I64Attr:$linear_before_reset)>;

def CIM_LSTMOp : CIM_Op<"lstm", [Pure, AttrSizedOperandSegments]> {
  let summary = "ONNX LSTM (every attribute, both directions)";
  let description = [{
    The LSTM layer with ONNX's semantics; see `cim.rnn` for the attributes.
    `P` holds the peephole weights (i, o, f); `input_forget` couples the
    input and forget gates.
  }];
  let arguments = (ins AnyRankedTensor:$X, AnyRankedTensor:$W, AnyRankedTensor:$R,
                       Optional<AnyRankedTensor>:$B,
                       Optional<TensorOf<[I64]>>:$sequence_lens,
                       Optional<AnyRankedTensor>:$initial_h,
                       Optional<AnyRankedTensor>:$initial_c,
                       Optional<AnyRankedTensor>:$P,
                       CIM_RecurrentDirectionAttr:$direction,
                       I64Attr:$hidden_size,
                       CIM_RecurrentActivationArrayAttr:$activations,
                       F32ArrayAttr:$activation_alpha,
                       F32ArrayAttr:$activation_beta,
                       OptionalAttr<F32Attr>:$clip, I64Attr:$layout,
                       I64Attr:$input_forget);
  let results = (outs AnyRankedTensor:$Y, AnyRankedTensor:$Y_h,
                      AnyRankedTensor:$Y_c);
  let assemblyFormat = [{
    `(` $X `,` $W `,` $R `)` (`bias` `(` $B^ `)`)? (`lens` `(` $sequence_lens^ `)`)?
    (`h0` `(` $initial_h^ `)`)? (`c0` `(` $initial_c^ `)`)?
    (`peepholes` `(` $P^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr int kNumGates = 4;
  }];
}

//===----------------------------------------------------------------------===//
// Control flow
//===----------------------------------------------------------------------===//

def CIM_YieldOp : CIM_Op<"yield", [Pure, Terminator,
                                   ParentOneOf<["LoopOp", "ScanOp", "ODEOp", "IfOp"]>]> {
  let summary = "yields values from the body of a loop, scan, ODE or if";
  let arguments = (ins Variadic<AnyType>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

def CIM_LoopOp : CIM_Op<"loop", [AttrSizedOperandSegments,
    SingleBlock, RecursiveMemoryEffects]> {
  let summary = "ONNX Loop: iterate a body with loop-carried values";
  let description = [{
    Runs the body while the trip count (if given) is not reached and the
    condition (if given) holds. The body's block arguments are the iteration
    number (i64 scalar), the condition and the carried values; it yields the
    next condition, the next carried values and one value per scan output.
    Results: the final carried values, then the scan outputs stacked along a
    new leading axis.

    ```mlir
    %sum = cim.loop max %n cond %c init(%s0) : (tensor<i64>, tensor<i1>, tensor<f32>) -> tensor<f32> {
    ^bb0(%i: tensor<i64>, %ci: tensor<i1>, %s: tensor<f32>):
      ...
      cim.yield %cnext, %snext : tensor<i1>, tensor<f32>
    }
    ```
  }];
  let arguments = (ins Optional<TensorOf<[I64]>>:$max_trip_count,
                       Optional<TensorOf<[I1]>>:$condition,
                       Variadic<AnyRankedTensor>:$initial);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`max` $max_trip_count^)? (`cond` $condition^)? (`init` `(` $initial^ `)`)?
    attr-dict `:` functional-type(operands, results) $body
  }];
  let hasVerifier = 1;
}

def CIM_IfOp : CIM_Op<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "ONNX If with a run-time condition: one of two regions runs";
  let description = [{
    Runs `then` when the condition (one bool) holds and `else` otherwise;
    the results are the values the region that ran yields. Both regions
    are compiled; the condition selects one at run time. A result's
    element type and rank are the same in both regions; a dimension where
    the regions differ is dynamic. With a constant condition the op folds
    to the taken region.

    ```mlir
    %y = cim.if %c : tensor<i1> -> tensor<5xf32> {
      cim.yield %a : tensor<5xf32>
    } else {
      cim.yield %b : tensor<5xf32>
    }
    ```
  }];
  let arguments = (ins TensorOf<[I1]>:$condition);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$then_region,
                        SizedRegion<1>:$else_region);
  let assemblyFormat = [{
    $condition attr-dict `:` type($condition) (`->` type($results)^)?
    $then_region `else` $else_region
  }];
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def CIM_LIFOp : CIM_Op<"lif", [Pure, AttrSizedOperandSegments]> {
  let summary = "a layer of leaky integrate-and-fire neurons over time steps";
  let description = [{
    Runs one membrane per element of the currents over `currents.size()`
    time steps: at step t, v <- beta * v + (I_t + bias); the neuron spikes
    (1.0, else 0.0) where v > theta (`compare = "gt"`) or v >= theta
    (`compare = "ge"`), and a spiking membrane is lowered by theta
    (`reset = subtract`) or set to 0 (`reset = zero`). With `refractory =
    1` a neuron ignores its input for one step after a spike: the current
    is (I_t + bias) * (1 - s_{t-1}). Every step is
    computed in float32 in this order (one rounding per operation), so
    the op equals the unrolled graph it was raised from. `init` is the
    membrane before the first step (absent: zero); `bias` a constant
    current added at every step (absent: none). The results are the spikes
    of each step and the final membrane (after its reset).

    `neurons` marks a layer mapped onto the columns' LIF neurons (set by
    `cim-map-lif-neurons`): each current is the charge of a `cim.linear`
    (or its tiles) read with `#cim.charge`, no ADC; the bias is a bias
    current; only spikes leave the array. Without it the membranes live in
    the digital unit. Inside a `cim.loop` or `cim.scan` body whose carried
    membrane is `init` and whose yielded one is the op's final membrane,
    the op is one step of a layer that the loop runs over its iterations.

    ```mlir
    %s:3, %v = cim.lif %i0, %i1, %i2 {beta = 0.9 : f64, theta = 1.0 : f64,
        compare = "gt", reset = #cim<reset subtract>}
        : (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
        -> (tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>, tensor<?x8xf32>)
    ```
  }];
  let arguments = (ins Optional<AnyRankedTensor>:$bias,
                       Optional<AnyRankedTensor>:$init,
                       Variadic<AnyRankedTensor>:$currents,
                       F64Attr:$beta, F64Attr:$theta,
                       StrAttr:$compare,
                       CIM_ResetModeAttr:$reset,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntMinValue<0>, IntMaxValue<1>]>, "0">:$refractory,
                       UnitAttr:$neurons);
  let results = (outs Variadic<AnyRankedTensor>:$spikes,
                      AnyRankedTensor:$membrane);
  let assemblyFormat = [{
    $currents (`bias` `(` $bias^ `)`)? (`init` `(` $init^ `)`)? attr-dict
    `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Time steps.
    unsigned getNumSteps() { return getCurrents().size(); }
    /// True if `init` is the membrane a cim.loop or cim.scan carries from
    /// one iteration to the next (its body's block argument, whose yielded
    /// value is this op's final membrane): the layer's steps are then the
    /// loop's iterations.
    bool carriesMembraneAcrossIterations();
  }];
}

def CIM_ODEOp : CIM_Op<"ode", [SingleBlock,
    RecursiveMemoryEffects]> {
  let summary = "an ODE solve: dh/dt = f(h) from t0 in fixed steps";
  let description = [{
    Solves dh/dt = f(h) from `init` at t0 with `solver` (explicit Euler or
    classic RK4) in steps of `dt`: `num_steps` steps, or as many as the
    runtime scalar `steps` operand (`trip_count(...)`) says. The body is f: its block argument
    is the state h and it yields dh/dt. `cim-raise-ode` forms it from an
    ONNX Loop or an unrolled chain of solver steps that reuse f's weights.

    `schedule` says where the steps run (`cim-schedule-ode`): `digital`,
    every layer of f behind an ADC and a DAC at every step, or `analog`,
    f's layers read without conversions and the state held in the target's
    analog integrators, with a DAC at the input and an ADC at the output
    only.

    ```mlir
    %h1 = cim.ode euler dt 1.250000e-01 steps 8 init(%h0)
        : (tensor<?x32xf32>) -> tensor<?x32xf32> {
    ^bb0(%h: tensor<?x32xf32>):
      ...
      cim.yield %dh : tensor<?x32xf32>
    }
    ```
  }];
  let arguments = (ins AnyRankedTensor:$init,
                       Optional<TensorOf<[I64]>>:$steps,
                       CIM_ODESolverAttr:$solver,
                       F64Attr:$dt,
                       DefaultValuedAttr<F64Attr, "0.0">:$t0,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$num_steps,
                       OptionalAttr<CIM_ODEScheduleAttr>:$schedule);
  let results = (outs AnyRankedTensor:$result);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $solver `dt` $dt (`steps` $num_steps^)? (`trip_count` `(` $steps^ `)`)?
    `init` `(` $init `)` attr-dict `:` functional-type(operands, results)
    $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// Evaluations of f per step: 1 (Euler) or 4 (RK4).
    unsigned getEvaluationsPerStep() {
      return getSolver() == ::cim::ODESolver::rk4 ? 4 : 1;
    }
  }];
}

def CIM_ScanOp : CIM_Op<"scan", [SingleBlock,
                                 RecursiveMemoryEffects]> {
  let summary = "ONNX Scan: iterate a body over slices of its scan inputs";
  let description = [{
    The first `inputs.size() - num_scan_inputs` operands are the initial
    states, the rest the scan inputs. The body receives the states and one
    slice of each scan input (along its axis in `scan_input_axes`, reversed
    where `scan_input_directions` is 1) and yields the next states and one
    slice per scan output. Results: the final states, then the scan outputs
    stacked along `scan_output_axes`.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                       I64Attr:$num_scan_inputs,
                       I64ArrayAttr:$scan_input_axes,
                       I64ArrayAttr:$scan_input_directions,
                       I64ArrayAttr:$scan_output_axes,
                       I64ArrayAttr:$scan_output_directions);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inputs `)` attr-dict `:` functional-type($inputs, results) $body
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMOPS_TD
