//===- Main.cpp - cim-compile's entry point ---------------------*- C++ -*-===//

#include "Driver.h"

#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return cim::compileMain(argc, argv);
}
