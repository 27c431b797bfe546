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

def CIM_ArrayKindAttr : CIM_Attr<"ArrayKind", "array"> {
  let summary = "one kind of array of a target: size, cells, encoding, count";
  let description = [{
    `count` arrays of `rows` x `cols` cells of technology `cell`, each cell
    holding `bits_per_cell` bits; signed weights use `encoding`. With
    `weight_bits` above `bits_per_cell`, each weight is bit-sliced over
    `ceil(weight_bits / bits_per_cell)` cells (pairs) in separate columns,
    whose column results are shifted and added in the digital unit.

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
        "weight precision; 0: one cell (pair) per weight">:$weight_bits
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// Cells (pairs) per weight: 1 unless weights are bit-sliced.
    unsigned getSlices() const {
      unsigned w = getWeightBits(), b = getBitsPerCell();
      return w > b ? (w + b - 1) / b : 1;
    }
    /// Array columns needed to store `logicalCols` weight columns.
    unsigned physicalCols(unsigned logicalCols) const;
    /// Largest number of weight columns one array holds.
    unsigned maxLogicalCols() const;
    /// Arrays needed to hold a `k` x `n` weight matrix.
    uint64_t arraysFor(int64_t k, int64_t n) const {
      return uint64_t((k + getRows() - 1) / getRows()) *
             uint64_t((n + maxLogicalCols() - 1) / maxLogicalCols());
    }
    /// Cells of all arrays of this kind.
    uint64_t capacityCells() const {
      return uint64_t(getRows()) * getCols() * getCount();
    }
  }];
}

def CIM_TargetAttr : CIM_Attr<"Target", "target"> {
  let summary = "the compute-in-memory hardware a module is compiled for";
  let description = [{
    The kinds of arrays of the target macro (one per cell technology), the
    resolution of the converters at the arrays' edge (with `input_bits`
    above `dac_bits`, inputs are driven bit-serially in several passes), and the energy,
    latency and area figures of the cost model (`costs`, see the target
    description page). Attached to the module as `cim.target`.

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
        "input precision; above dac_bits inputs are bit-serial">:$input_bits
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The kind of array of cell technology `cell`, or null.
    ArrayKindAttr lookupArray(::cim::CellTech cell) const;
    /// The first kind of array: where weights go without a placement.
    ArrayKindAttr getDefaultArray() const;
    /// A cost figure from `costs`, or `fallback`.
    double getCost(::llvm::StringRef key, double fallback) const;
    /// DAC passes per input vector: 1, or more when inputs of `input_bits`
    /// are driven bit-serially through a DAC of fewer bits (magnitude
    /// digits of dac_bits - 1 bits; the sign is the drive polarity).
    unsigned getInputPasses() const {
      unsigned in = getInputBits(), dac = getDacBits();
      if (in <= dac || dac < 2)
        return 1;
      return (in - 1 + dac - 2) / (dac - 1);
    }
  }];
}

#endif // CIM_DIALECT_CIM_CIMATTRIBUTES_TD
