//===- Bindings.h - The parts of cim._cim ------------------------*- C++ -*-===//
//
// What Module.cpp puts together, and the one way the parts raise cim.Error.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_PYTHON_BINDINGS_BINDINGS_H
#define CIM_PYTHON_BINDINGS_BINDINGS_H

#include <pybind11/pybind11.h>

#include <string>

/// Runtime: cim.Error, Model, Session (CimrtModule.cpp).
void bindRuntime(pybind11::module_ &m);
/// Compiler: compile (CompilerModule.cpp).
void bindCompiler(pybind11::module_ &m);
/// Noise models and artifacts for sweeps (ModelTools.cpp).
void bindModelTools(pybind11::module_ &m);

/// Raises cim.Error with `message` and its status code name `code`.
[[noreturn]] void raiseError(const std::string &message,
                             const std::string &code);

#endif // CIM_PYTHON_BINDINGS_BINDINGS_H
