#===- CimRunTest.cmake - End-to-end checks of cim-run -------------*- CMake -*-===#
#
# Run with cmake -P. Writes artifacts and test data with
# cim-make-test-artifact, then checks cim-run's exit codes and output lines
# on good data, on several data sets, with --input and --output-dir, and on
# broken artifacts (each must fail with one `error:` line, never crash).
#
# Variables: MAKE_ARTIFACT, CIM_RUN, WORK_DIR, ONNX_NODE_DATA (optional).
#
#===----------------------------------------------------------------------===#

file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(make_artifact)
  execute_process(COMMAND ${MAKE_ARTIFACT} ${ARGN}
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cim-make-test-artifact ${ARGN} failed: ${err}")
  endif()
endfunction()

# expect(<name> <exit code> <stdout regex> <stderr regex> ARGS <cim-run args>)
function(expect name code out_re err_re)
  cmake_parse_arguments(E "" "" "ARGS" ${ARGN})
  execute_process(COMMAND ${CIM_RUN} ${E_ARGS}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "[${name}] exit ${rc}\n${out}${err}")
  if(NOT "${rc}" STREQUAL "${code}")
    message(FATAL_ERROR "[${name}] expected exit ${code}, got ${rc}")
  endif()
  if(NOT out MATCHES "${out_re}")
    message(FATAL_ERROR "[${name}] stdout does not match '${out_re}'")
  endif()
  if(NOT err MATCHES "${err_re}")
    message(FATAL_ERROR "[${name}] stderr does not match '${err_re}'")
  endif()
endfunction()

set(W ${WORK_DIR})

# A passing run on one data set.
make_artifact(${W}/dense.cimx --test-data ${W}/dense-data)
expect(pass 0
  "test_data_set_0: output 'y' max_abs_err=[^ ]+ max_rel_err=[^ ]+ OK.*cim-run: 1 passed, 0 failed"
  "^$"
  ARGS ${W}/dense.cimx --test-data ${W}/dense-data)
# The report line.
expect(report 0 "cim-run: device sim://ideal, target 'test-target', 1 tiles, 2 MVMs, 2 digital ops" ""
  ARGS ${W}/dense.cimx --test-data ${W}/dense-data/test_data_set_0)

# Several sets, split-K model, quiet mode prints nothing on success.
make_artifact(${W}/splitk.cimx --model splitk --test-data ${W}/splitk-data
  --sets 3 --batch 7)
expect(sets 0 "test_data_set_0.*test_data_set_1.*test_data_set_2.*3 passed, 0 failed" ""
  ARGS ${W}/splitk.cimx --test-data ${W}/splitk-data)
expect(quiet 0 "^$" "^$" ARGS ${W}/splitk.cimx --test-data ${W}/splitk-data --quiet)

# The sample target sets every bit width to 0 (no quantisation), so the
# quantized simulator must match the float references too.
expect(quantized 0 "1 passed" ""
  ARGS ${W}/dense.cimx --test-data ${W}/dense-data --device sim://quantized)

# Inputs of the wrong shape (splitk data has K = 8, dense expects 5) are an
# error naming the input and the dim.
expect(wrong-shape 1 "" "error: .*dense.cimx: input 'x' \\(index 0\\): dim 1 is 8"
  ARGS ${W}/dense.cimx --test-data ${W}/splitk-data)
# Tight tolerance still passes (ideal sim is float exact up to rounding)...
expect(tight 0 "OK" "" ARGS ${W}/dense.cimx --test-data ${W}/dense-data --rtol 1e-6 --atol 1e-7)

# --input and --output-dir; the written output must itself pass as reference.
expect(input 0 "inputs: output 'y' shape \\[2,3\\]" ""
  ARGS ${W}/dense.cimx --input x=${W}/dense-data/test_data_set_0/input_0.pb
       --output-dir ${W}/out)
if(NOT EXISTS ${W}/out/output_0.pb)
  message(FATAL_ERROR "--output-dir did not write output_0.pb")
endif()
file(MAKE_DIRECTORY ${W}/roundtrip)
file(COPY ${W}/dense-data/test_data_set_0/input_0.pb ${W}/out/output_0.pb
  DESTINATION ${W}/roundtrip)
expect(roundtrip 0 "max_abs_err=0 max_rel_err=0 OK" ""
  ARGS ${W}/dense.cimx --test-data ${W}/roundtrip --rtol 0 --atol 0)
expect(output-dir-sets 0 "3 passed" ""
  ARGS ${W}/splitk.cimx --test-data ${W}/splitk-data --output-dir ${W}/out-sets)
if(NOT EXISTS ${W}/out-sets/test_data_set_2/output_0.pb)
  message(FATAL_ERROR "--output-dir did not write test_data_set_2/output_0.pb")
endif()

# Errors: each is one `error:` line and exit 1 (2 for usage).
make_artifact(${W}/truncated.cimx --truncate-to 60)
expect(corrupt 1 "" "^error: .*truncated.cimx: " ARGS ${W}/truncated.cimx --test-data ${W}/dense-data)
make_artifact(${W}/future.cimx --version 7)
expect(future 1 "" "^error: .*future.cimx: artifact version 7 is newer than this runtime supports \\(1\\)"
  ARGS ${W}/future.cimx --test-data ${W}/dense-data)
expect(missing-model 1 "" "^error: .*nope.cimx: cannot open"
  ARGS ${W}/nope.cimx --test-data ${W}/dense-data)
file(WRITE ${W}/bad.pb "this is not a tensor")
expect(bad-pb 1 "" "^error: .*bad.pb: not an ONNX TensorProto"
  ARGS ${W}/dense.cimx --input x=${W}/bad.pb)
expect(missing-input 1 "" "^error: .*missing input 'x'" ARGS ${W}/dense.cimx)
expect(unknown-input 1 "" "^error: .*no input named 'z'"
  ARGS ${W}/dense.cimx --input z=${W}/bad.pb)
expect(bad-device 1 "" "^error: device URI 'hw://x': no driver for scheme 'hw' \\(known schemes: sim://\\)"
  ARGS ${W}/dense.cimx --device hw://x --test-data ${W}/dense-data)
expect(usage 2 "" "^error: unknown option '--bogus'" ARGS ${W}/dense.cimx --bogus)
expect(help 0 "usage: cim-run MODEL.cimx" "" ARGS --help)

# A failing comparison: the input of one data set with the reference output
# of another.
file(MAKE_DIRECTORY ${W}/wrong)
file(COPY ${W}/dense-data/test_data_set_0/input_0.pb DESTINATION ${W}/wrong)
make_artifact(${W}/unused.cimx --test-data ${W}/other --batch 2 --sets 2)
file(COPY ${W}/other/test_data_set_1/output_0.pb DESTINATION ${W}/wrong)
expect(mismatch 1 "output 'y' max_abs_err=[^ ]+ max_rel_err=[^ ]+ FAIL: .*cim-run: 0 passed, 1 failed" ""
  ARGS ${W}/dense.cimx --test-data ${W}/wrong)

# Real ONNX node test data (raw_data float tensors with names).
if(ONNX_NODE_DATA AND EXISTS ${ONNX_NODE_DATA}/test_relu)
  make_artifact(${W}/relu.cimx --model relu3d)
  expect(onnx-relu 0 "test_data_set_0: output 'y' .* OK" ""
    ARGS ${W}/relu.cimx --test-data ${ONNX_NODE_DATA}/test_relu)
endif()
if(ONNX_NODE_DATA AND EXISTS ${ONNX_NODE_DATA}/test_matmul_2d)
  make_artifact(${W}/matmul.cimx --model matmul2d)
  expect(onnx-matmul 0 "output 'c' .* OK" ""
    ARGS ${W}/matmul.cimx --test-data ${ONNX_NODE_DATA}/test_matmul_2d)
endif()
