#===- CimRunTest.cmake - End-to-end checks of cim-run -------------*- CMake -*-===#
#
# Run with cmake -P. Writes artifacts and test data with
# cim-make-test-artifact, then checks cim-run's exit codes and output lines
# on good data, on several data sets, with --input and --output-dir, on
# typed (I64, BOOL, scalar) inputs and outputs, on ONNX node test data for
# loops, scans and recurrent kernels, and on broken artifacts (each must
# fail with one `error:` line, never crash).
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
# quantized simulator must match the float references too when a
# tolerance asks it to; without one, a device other than sim://ideal gives
# error statistics and no verdict.
expect(quantized 0 "1 passed" ""
  ARGS ${W}/dense.cimx --test-data ${W}/dense-data --device sim://quantized
       --atol 1e-5)
expect(quantized-statistics 0
  "output 'y' max_abs_err=[^ ]+ mean_abs_err=[^ ]+ max_rel_err=[^ ]+\n.*cim-run: 1 set compared for error statistics \\(on sim://quantized without --rtol/--atol\\)"
  "" ARGS ${W}/dense.cimx --test-data ${W}/dense-data --device sim://quantized)

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
make_artifact(${W}/future.cimx --version 8)
expect(future 1 "" "^error: .*future.cimx: artifact version 8 is newer than this runtime supports \\(6\\)"
  ARGS ${W}/future.cimx --test-data ${W}/dense-data)
expect(missing-model 1 "" "^error: .*nope.cimx: cannot open"
  ARGS ${W}/nope.cimx --test-data ${W}/dense-data)
file(WRITE ${W}/bad.pb "this is not a tensor")
expect(bad-pb 1 "" "^error: .*bad.pb: not an ONNX TensorProto"
  ARGS ${W}/dense.cimx --input x=${W}/bad.pb)
expect(missing-input 1 "" "^error: .*missing input 'x'" ARGS ${W}/dense.cimx)
expect(unknown-input 1 "" "^error: .*no input named 'z'"
  ARGS ${W}/dense.cimx --input z=${W}/bad.pb)
expect(bad-device 1 "" "^error: device URI 'hw://x': no driver for scheme 'hw' \\(known schemes: board://, board\\+serial://, sim://\\)"
  ARGS ${W}/dense.cimx --device hw://x --test-data ${W}/dense-data)
expect(usage 2 "" "^error: unknown option '--bogus'" ARGS ${W}/dense.cimx --bogus)
expect(help 0 "usage: cim-run MODEL.cimx" "" ARGS --help)
expect(needs-value 2 "" "^error: --rtol needs a value \\(see cim-run --help\\)"
  ARGS ${W}/dense.cimx --rtol)

# --stats-json: the session's cost per inference, keyed like the totals of
# cim-compile's --report (dense-data runs a batch of 2 on 1 tile).
file(REMOVE ${W}/stats.json)
expect(stats-json 0 "1 set compared for error statistics" "" ARGS ${W}/dense.cimx --test-data ${W}/dense-data
  --device sim://quantized --stats-json ${W}/stats.json)
file(READ ${W}/stats.json stats)
foreach(key latency_ns mvms dac_conversions adc_conversions macs digital_ops
    comparisons charge_shares)
  string(JSON value ERROR_VARIABLE err GET "${stats}" ${key})
  if(err)
    message(FATAL_ERROR "[stats-json] no '${key}' in stats.json: ${stats}")
  endif()
endforeach()
foreach(key mac dac adc digital total)
  string(JSON value ERROR_VARIABLE err GET "${stats}" energy_pj ${key})
  if(err)
    message(FATAL_ERROR "[stats-json] no energy_pj.${key}: ${stats}")
  endif()
endforeach()
string(JSON mvms GET "${stats}" mvms)
string(JSON inferences GET "${stats}" inferences)
if(NOT mvms EQUAL 1 OR NOT inferences EQUAL 2)
  message(FATAL_ERROR "[stats-json] expected 1 MVM per vector over 2 vectors: ${stats}")
endif()

# A failing comparison: the input of one data set with the reference output
# of another.
file(MAKE_DIRECTORY ${W}/wrong)
file(COPY ${W}/dense-data/test_data_set_0/input_0.pb DESTINATION ${W}/wrong)
make_artifact(${W}/unused.cimx --test-data ${W}/other --batch 2 --sets 2)
file(COPY ${W}/other/test_data_set_1/output_0.pb DESTINATION ${W}/wrong)
expect(mismatch 1 "output 'y' max_abs_err=[^ ]+ max_rel_err=[^ ]+ FAIL: .*cim-run: 0 passed, 1 failed" ""
  ARGS ${W}/dense.cimx --test-data ${W}/wrong)

# Typed I/O: x FLOAT, ids INT32 in the file (converted to the model's I64),
# flag a BOOL scalar; I64 and BOOL outputs are compared exactly.
make_artifact(${W}/typed.cimx --model typed --test-data ${W}/typed-data
  --sets 2 --batch 5)
expect(typed 0
  "test_data_set_0: output 'twice' I64 mismatches=0 OK\ntest_data_set_0: output 'positive' BOOL mismatches=0 OK\ntest_data_set_0: output 'argmax' I64 mismatches=0 OK.*cim-run: 2 passed, 0 failed"
  "^$" ARGS ${W}/typed.cimx --test-data ${W}/typed-data)
file(MAKE_DIRECTORY ${W}/typed-wrong)
file(GLOB typed_inputs ${W}/typed-data/test_data_set_0/input_*.pb)
file(GLOB typed_outputs ${W}/typed-data/test_data_set_1/output_*.pb)
file(COPY ${typed_inputs} ${typed_outputs} DESTINATION ${W}/typed-wrong)
expect(typed-mismatch 1
  "output 'twice' I64 mismatches=5 FAIL: 5 of 5 elements differ; first at flat index 0: got -6, expected -12.*cim-run: 0 passed, 1 failed"
  "" ARGS ${W}/typed.cimx --test-data ${W}/typed-wrong)
# --input prints typed values; --output-dir writes INT64 / BOOL tensors
# (the scalar argmax too) that pass again as exact references.
expect(typed-input 0
  "inputs: output 'twice' I64 shape \\[5\\]: -6 8 22 36 50\ninputs: output 'positive' BOOL shape \\[5\\]: [01 ]+\ninputs: output 'argmax' I64 shape \\[\\]: [0-9]"
  "" ARGS ${W}/typed.cimx
    --input x=${W}/typed-data/test_data_set_0/input_0.pb
    --input ids=${W}/typed-data/test_data_set_0/input_1.pb
    --input flag=${W}/typed-data/test_data_set_0/input_2.pb
    --output-dir ${W}/typed-out)
file(MAKE_DIRECTORY ${W}/typed-roundtrip)
file(GLOB typed_written ${W}/typed-out/output_*.pb)
file(COPY ${typed_inputs} ${typed_written} DESTINATION ${W}/typed-roundtrip)
expect(typed-roundtrip 0 "mismatches=0 OK.*mismatches=0 OK.*mismatches=0 OK.*1 passed"
  "" ARGS ${W}/typed.cimx --test-data ${W}/typed-roundtrip --rtol 0 --atol 0)

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
# Control flow and recurrent kernels on ONNX's own data: scalar INT64 / BOOL
# inputs (test_loop11), INT32 sequence_lens (test_lstm_with_peepholes), two
# outputs in layout 1 (test_simple_rnn_batchwise).
if(ONNX_NODE_DATA AND EXISTS ${ONNX_NODE_DATA}/test_loop11)
  make_artifact(${W}/loop.cimx --model loop)
  expect(onnx-loop11 0 "output 'res_y' .* OK\n.*output 'res_scan' .* OK.*1 passed"
    "" ARGS ${W}/loop.cimx --test-data ${ONNX_NODE_DATA}/test_loop11)
endif()
if(ONNX_NODE_DATA AND EXISTS ${ONNX_NODE_DATA}/test_scan9_sum)
  make_artifact(${W}/scan.cimx --model scan)
  expect(onnx-scan9 0 "output 'y' .* OK\n.*output 'z' .* OK.*1 passed"
    "" ARGS ${W}/scan.cimx --test-data ${ONNX_NODE_DATA}/test_scan9_sum)
endif()
foreach(t test_lstm_with_peepholes test_simple_rnn_batchwise test_gru_seq_length)
  if(ONNX_NODE_DATA AND EXISTS ${ONNX_NODE_DATA}/${t})
    make_artifact(${W}/${t}.cimx --model recurrent --onnx-test ${ONNX_NODE_DATA}/${t})
    expect(onnx-${t} 0 "output 'Y_h' .* OK.*1 passed"
      "" ARGS ${W}/${t}.cimx --test-data ${ONNX_NODE_DATA}/${t})
  endif()
endforeach()
