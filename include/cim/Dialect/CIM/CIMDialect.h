//===- CIMDialect.h - CIM dialect declaration ---------------*- C++ -*-===//
//
// Declares the cim dialect class. Include CIMOps.h for its ops, attributes
// and types.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIMDIALECT_H
#define CIM_DIALECT_CIM_CIMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "cim/Dialect/CIM/CIMDialect.h.inc"

#endif // CIM_DIALECT_CIM_CIMDIALECT_H
