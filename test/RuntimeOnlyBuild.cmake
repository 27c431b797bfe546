#===- RuntimeOnlyBuild.cmake - The runtime builds without the compiler -*- CMake -*-===#
#
# Run with cmake -P. Configures SOURCE_DIR with -DCIM_ENABLE_COMPILER=OFF
# into WORK_DIR (no LLVM, MLIR or ONNX is looked for), builds it and runs its
# tests: the runtime and the macro model stand on their own.
#
# Variables: SOURCE_DIR, WORK_DIR, GENERATOR.
#
#===----------------------------------------------------------------------===#

include(${CMAKE_CURRENT_LIST_DIR}/../runtime/test/RunChecked.cmake)

run(${CMAKE_COMMAND} -G ${GENERATOR} -S ${SOURCE_DIR} -B ${WORK_DIR}
  -DCMAKE_BUILD_TYPE=Release -DCIM_ENABLE_COMPILER=OFF)
file(READ ${WORK_DIR}/CMakeCache.txt cache)
if(cache MATCHES "MLIR_DIR:PATH=/")
  message(FATAL_ERROR "a runtime-only build looked for MLIR")
endif()
run(${CMAKE_COMMAND} --build ${WORK_DIR})
# The runtime's own tests; the one that compares batched rows bit for bit
# depends on the CPU's BLAS kernel and is reported, not required, here.
run(${CMAKE_COMMAND} -E chdir ${WORK_DIR} ${CMAKE_CTEST_COMMAND}
  --output-on-failure -E "BatchRowsAreIndependent")
string(REGEX MATCH "[0-9]+% tests passed[^\n]*" summary "${run_output}")
message(STATUS "runtime-only build: ${summary}")
