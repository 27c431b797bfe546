//===- VectorClones.h - Per-element loops compiled per ISA ------*- C++ -*-===//
//
// CIM_VECTOR_CLONES marks a function whose per-element loops are compiled
// three times on x86-64: for x86-64-v4 (AVX-512, whose 64-bit multiplies
// and 64-bit integer conversions vectorise), for AVX2 and for the baseline
// ISA; the loader picks one by the CPU. A file that uses it is compiled
// without FMA contraction (runtime/CMakeLists.txt), so that every clone
// runs the same IEEE operations in the same order and results do not
// depend on the machine.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_BASE_VECTORCLONES_H
#define CIMRT_SRC_BASE_VECTORCLONES_H

// A build configured with CIM_VECTOR_ISA compiles them for that one ISA
// instead ("baseline": the build's own), so that each clone's results can
// be compared on one machine.
#if defined(CIM_VECTOR_BASELINE)
#define CIM_VECTOR_CLONES
#elif defined(CIM_VECTOR_ISA)
#define CIM_VECTOR_CLONES __attribute__((target(CIM_VECTOR_ISA)))
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define CIM_VECTOR_CLONES                                                      \
  __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define CIM_VECTOR_CLONES
#endif

// A lambda's body is a function of its own, compiled for the baseline ISA
// even inside a cloned function; CIM_INLINE (after a lambda's parameter
// list) inlines it, so that its loops are compiled for the clone's ISA.
#if defined(__GNUC__)
#define CIM_INLINE __attribute__((always_inline))
#else
#define CIM_INLINE
#endif

#endif // CIMRT_SRC_BASE_VECTORCLONES_H
