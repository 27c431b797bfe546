//===- CIMOps.td - CIM operations --------------------------*- tablegen -*-===//
//
// Operations of the cim dialect, from the model-level matrix product the
// importer produces down to programmed tiles and analog MVMs.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMOPS_TD
#define CIM_DIALECT_CIM_CIMOPS_TD

include "cim/Dialect/CIM/CIMTypes.td"
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
    rest run in the digital unit.

    ```mlir
    %y = cim.matmul %a, %b : tensor<?x4xf32>, tensor<4x3xf32> -> tensor<?x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
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
    (`K x N`), read out through `readout`. The weight is not yet placed on
    arrays: `cim-tile-weights` splits it into `cim.program_tile` and
    `cim.mvm` ops.

    ```mlir
    %y = cim.linear %x, %w {readout = #cim.adc<bits = 8>}
        : tensor<?x64xf32>, tensor<64x32xf32> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       CIM_ADCReadoutAttr:$readout);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight attr-dict `:` type($input) `,` type($weight) `->` type($result)
  }];
  let hasVerifier = 1;
}

def CIM_ProgramTileOp : CIM_Op<"program_tile", [Pure]> {
  let summary = "program a block of weights into an array";
  let description = [{
    Writes the constant `weights` block (`rows x cols`) into one array of the
    module's target, using `encoding` for signed values, and yields the tile.
    The block must fit the target's array (a differential encoding needs two
    array columns per weight column).

    ```mlir
    %t = cim.program_tile %w {encoding = #cim<encoding differential>}
        : tensor<64x32xf32> -> !cim.tile<64x32, rram>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$weights,
                       CIM_WeightEncodingAttr:$encoding);
  let results = (outs CIM_TileType:$tile);
  let assemblyFormat = "$weights attr-dict `:` type($weights) `->` type($tile)";
  let hasVerifier = 1;
}

def CIM_MVMOp : CIM_Op<"mvm", [Pure]> {
  let summary = "analog matrix-vector product on a programmed tile";
  let description = [{
    Drives the tile's rows with `input[..., row_offset : row_offset + rows]`
    (through the target's DACs) and reads the `cols` column results out
    through `readout`. The result has the input's leading dimensions and
    `cols` as its last one. Partial sums of a matrix split over several tiles
    are added explicitly by the surrounding IR.

    ```mlir
    %p = cim.mvm %t, %x {row_offset = 0 : i64, readout = #cim.adc<bits = 8>}
        : !cim.tile<64x32, rram>, tensor<?x64xf32> -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins CIM_TileType:$tile, AnyRankedTensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$row_offset, CIM_ADCReadoutAttr:$readout);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = [{
    $tile `,` $input attr-dict `:` type($tile) `,` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

#endif // CIM_DIALECT_CIM_CIMOPS_TD
