#===- InstallTest.cmake - Link a host app against an installed cimrt -*- CMake -*-===#
#
# Run with cmake -P. Installs the cimrt component of BUILD_DIR into a
# scratch prefix, configures and builds samples/hello standalone with
# CMAKE_PREFIX_PATH pointing there (find_package(cimrt) + cimrt::cimrt), and
# runs it on ARTIFACT.
#
# Variables: BUILD_DIR, SAMPLE_DIR, WORK_DIR, ARTIFACT, GENERATOR, C_COMPILER,
# and SANITIZE (the build's CIM_SANITIZE: a sanitized library needs the
# sanitizer runtimes in the program that loads it, so the sample is built
# with the same -fsanitize=).
#
#===----------------------------------------------------------------------===#

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

include(${CMAKE_CURRENT_LIST_DIR}/RunChecked.cmake)

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component cimrt)
foreach(f include/cimrt/cimrt.h)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install is missing ${f}")
  endif()
endforeach()
set(sanitize_flags "")
if(SANITIZE)
  set(sanitize_flags -DCMAKE_C_FLAGS=-fsanitize=${SANITIZE}
                     -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE})
endif()
run(${CMAKE_COMMAND} -G ${GENERATOR} -S ${SAMPLE_DIR} -B ${WORK_DIR}/build
  -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${C_COMPILER}
  ${sanitize_flags})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/cimrt-hello ${ARTIFACT})
if(NOT run_output MATCHES "^y \\(3 values\\):")
  message(FATAL_ERROR "unexpected output of the installed sample: ${run_output}")
endif()
message(STATUS "installed sample says: ${run_output}")
