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
def CIM_WeightEncoding : I32EnumAttr<"WeightEncoding",
    "how signed weights are stored in cells", [CIM_EncodingDifferential]> {
  let cppNamespace = "::cim";
  let genSpecializedAttr = 0;
}
def CIM_WeightEncodingAttr : EnumAttr<CIM_Dialect, CIM_WeightEncoding, "encoding"> {
  let summary = "weight encoding; `differential` stores w as g+ - g- in two columns";
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

def CIM_TargetAttr : CIM_Attr<"Target", "target"> {
  let summary = "the compute-in-memory hardware a module is compiled for";
  let description = [{
    Describes the arrays of the target macro: their size, cell technology and
    bits per cell, and the resolution of the converters at the array's edge.
    Attached to the module as `cim.target`.

    ```mlir
    module attributes {cim.target = #cim.target<name = "generic-rram",
        rows = 128, cols = 128, cell = rram, bits_per_cell = 4,
        dac_bits = 8, adc_bits = 8>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"preset or file the target came from">:$name,
    "unsigned":$rows,
    "unsigned":$cols,
    "::cim::CellTech":$cell,
    "unsigned":$bits_per_cell,
    "unsigned":$dac_bits,
    "unsigned":$adc_bits
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Array columns needed to store `logicalCols` weight columns.
    unsigned physicalCols(unsigned logicalCols, ::cim::WeightEncoding enc) const;
    /// Largest number of weight columns one array holds with `enc`.
    unsigned maxLogicalCols(::cim::WeightEncoding enc) const;
  }];
}

#endif // CIM_DIALECT_CIM_CIMATTRIBUTES_TD
