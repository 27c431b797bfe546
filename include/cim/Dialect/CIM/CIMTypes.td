//===- CIMTypes.td - CIM types -----------------------------*- tablegen -*-===//
//
// Types of the cim dialect.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMTYPES_TD
#define CIM_DIALECT_CIM_CIMTYPES_TD

include "cim/Dialect/CIM/CIMAttributes.td"
include "mlir/IR/AttrTypeBase.td"

def CIM_TileType : TypeDef<CIM_Dialect, "Tile"> {
  let mnemonic = "tile";
  let summary = "an array holding a rows x cols block of weights";
  let description = [{
    A tile is one physical array of the target, programmed with a `rows` x
    `cols` block of a weight matrix (logical sizes: a differential encoding
    uses two array columns per weight column).

    ```mlir
    !cim.tile<64x32, rram>
    ```
  }];
  let parameters = (ins "unsigned":$rows, "unsigned":$cols,
                        "::cim::CellTech":$cell);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

#endif // CIM_DIALECT_CIM_CIMTYPES_TD
