//===- CIM.td - CIM dialect umbrella -----------------------*- tablegen -*-===//
//
// Pulls together the dialect, its attributes, types and operations.
//
//===----------------------------------------------------------------------===//

#ifndef CIM_DIALECT_CIM_CIM_TD
#define CIM_DIALECT_CIM_CIM_TD

include "cim/Dialect/CIM/CIMDialect.td"
include "cim/Dialect/CIM/CIMAttributes.td"
include "cim/Dialect/CIM/CIMTypes.td"
include "cim/Dialect/CIM/CIMOps.td"

#endif // CIM_DIALECT_CIM_CIM_TD
