#===- RunChecked.cmake - Run a command in a cmake -P test -----*- CMake -*-===#
#
# run(COMMAND ARGS...): runs a command and stops the script with its output
# if it fails; leaves its standard output in `run_output`. Shared by the
# scripts that build and run things as tests (InstallTest.cmake,
# test/RuntimeOnlyBuild.cmake).
#
#===----------------------------------------------------------------------===#

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(run_output "${out}" PARENT_SCOPE)
endfunction()
