//===- KernelContractTest.cpp - Emitter and runtime kernels agree -*- C++ -*-===//
//
// The compiler's emitter and the runtime's kernel table name the same
// kernels: every kernel an artifact may hold has a runtime kernel; and the
// IR's recurrent activations are the macro model's table.
//
//===----------------------------------------------------------------------===//

#include "cim/Dialect/CIM/CIMOps.h"
#include "cim/Macro/Recurrent.h"
#include "cim/Target/ArtifactEmitter.h"

#include "interp/Kernels.h"

#include <gtest/gtest.h>

TEST(KernelContract, EveryEmittableKernelExistsInTheRuntime) {
  std::vector<std::string> names = cim::emittableKernels();
  ASSERT_GT(names.size(), 40u);
  for (const std::string &name : names)
    EXPECT_NE(cim::rt::findKernel(name), nullptr)
        << "the emitter may write '" << name
        << "' but the runtime has no such kernel";
}

TEST(KernelContract, UnknownNamesAreNotFound) {
  EXPECT_EQ(cim::rt::findKernel("tosa.no_such_op"), nullptr);
}

TEST(KernelContract, RecurrentActivationsAreOneTable) {
  // The IR's activation enum names the macro model's table in its order,
  // so the compiler's parameters and the runtime's kernels agree.
  int index = 0;
  for (const cim::macro::RecurrentActivationInfo &info :
       cim::macro::kRecurrentActivations) {
    std::optional<cim::RecurrentActivation> act =
        cim::symbolizeRecurrentActivation(info.name);
    ASSERT_TRUE(act.has_value()) << info.name;
    EXPECT_EQ(int(*act), index + 1) << info.name;
    cim::ActivationParams p = cim::getActivationParams(*act);
    EXPECT_EQ(p.takesAlpha, info.takesAlpha) << info.name;
    EXPECT_EQ(p.alpha, info.alpha) << info.name;
    ++index;
  }
  EXPECT_FALSE(cim::symbolizeRecurrentActivation("Gelu").has_value());
}
