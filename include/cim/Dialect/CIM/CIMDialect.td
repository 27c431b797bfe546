//===- CIMDialect.td - CIM dialect definition --------------*- tablegen -*-===//
//
// The `cim` dialect models compute-in-memory macros: the hardware target, the
// arrays (tiles) that hold weights, and the analog matrix-vector products that
// run on them, together with the model-level ops the importer produces before
// weights are mapped onto arrays.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMDIALECT_TD
#define CIM_DIALECT_CIM_CIMDIALECT_TD

include "mlir/IR/OpBase.td"

def CIM_Dialect : Dialect {
  let name = "cim";
  let cppNamespace = "::cim";
  let summary = "Compute-in-memory arrays, tiles and analog matrix-vector products";
  let description = [{
    The `cim` dialect describes how a neural network runs on compute-in-memory
    macros. A module carries its hardware target as the `cim.target` attribute
    (`#cim.target<...>`). Constant weight matrices are first expressed as
    `cim.linear` products, then split by `cim-tile-weights` onto arrays: each
    `cim.program_tile` writes one block of weights into an array and yields a
    `!cim.tile`, and each `cim.mvm` runs an analog matrix-vector product on a
    tile with an explicit readout (an n-bit ADC for now). Everything else runs
    in the macro's digital unit.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let hasCanonicalizer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let extraClassDeclaration = [{
    /// Name of the module attribute that holds the `#cim.target`.
    static constexpr ::llvm::StringLiteral getTargetAttrName() {
      return ::llvm::StringLiteral("cim.target");
    }
    /// Name of the module attribute that holds placement rules
    /// (`cim-compile --placement`; read by `cim-place-weights`).
    static constexpr ::llvm::StringLiteral getPlacementAttrName() {
      return ::llvm::StringLiteral("cim.placement");
    }
    /// Name of the module attribute that holds calibrated pre-activation
    /// ranges (`cim-compile --ramp-ranges`; read by `cim-fuse-activations`).
    static constexpr ::llvm::StringLiteral getRampRangesAttrName() {
      return ::llvm::StringLiteral("cim.ramp_ranges");
    }
  }];
}

#endif // CIM_DIALECT_CIM_CIMDIALECT_TD
