//===- cim-opt.cpp - The cim optimizer driver -------------------*- C++ -*-===//
//
// Runs any cim pass or pipeline on MLIR input: registration plus MlirOptMain.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMDialect.h"
#include "cim/Dialect/CIM/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cim::CIMDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::tosa::TosaDialect>();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  cim::registerCIMPassesAndPipelines();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "cim optimizer driver\n", registry));
}
