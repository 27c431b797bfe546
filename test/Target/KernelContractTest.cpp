//===- KernelContractTest.cpp - Emitter and runtime kernels agree -*- C++ -*-===//
//
// The compiler's emitter and the runtime's kernel table name the same
// kernels: every kernel an artifact may hold has a runtime kernel.
//
//===----------------------------------------------------------------------===//

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
