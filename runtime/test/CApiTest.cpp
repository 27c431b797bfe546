//===- CApiTest.cpp - The C API end to end ----------------------*- C++ -*-===//
//
// Drives the runtime exactly as a host app does, through cimrt.h only:
// load, open, create a session, run with dynamic batch sizes, read the
// stats, and get precise errors for wrong shapes, wrong counts and NULLs;
// typed tensors (F32, I64, BOOL, scalars) in and out.
//
//===----------------------------------------------------------------------===//

#include "ArtifactBuilder.h"

#include "cimrt/cimrt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

using namespace cim::test;

namespace {

/// Owns the objects of one test and checks every call.
struct Api {
  cimrt_model_t *model = nullptr;
  cimrt_device_t *device = nullptr;
  cimrt_session_t *session = nullptr;

  explicit Api(const cim::artifact::Artifact &a,
               const char *uri = "sim://ideal",
               const cimrt_session_options_t *opts = nullptr) {
    std::string bytes = a.SerializeAsString();
    expectOk(cimrt_model_load_memory(bytes.data(), bytes.size(), &model));
    expectOk(cimrt_device_open(uri, &device));
    expectOk(cimrt_session_create(model, device, opts, &session));
  }
  ~Api() {
    cimrt_session_release(session);
    cimrt_device_release(device);
    cimrt_model_release(model);
  }

  static void expectOk(cimrt_status_t s) {
    EXPECT_EQ(s, nullptr) << cimrt_status_message(s);
    cimrt_status_free(s);
  }

  /// Runs on one input; returns the status (caller frees) and the output.
  cimrt_status_t run(const std::vector<int64_t> &dims,
                     const std::vector<float> &data, cimrt_tensor_t **out) {
    cimrt_tensor_t *in = nullptr;
    cimrt_status_t s =
        cimrt_tensor_create(dims.data(), dims.size(), data.data(), &in);
    if (s)
      return s;
    s = cimrt_session_run(session, 1, &in, 1, out);
    cimrt_tensor_release(in);
    return s;
  }
};

std::vector<float> pattern(size_t n) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = std::sin(0.7f * float(i)) * 1.5f;
  return v;
}

TEST(CApi, EndToEndWithDynamicBatch) {
  Api api(makeDenseRelu());
  uint64_t rows = 0;
  for (int64_t batch : {1, 7}) {
    auto x = pattern(size_t(batch * 5));
    cimrt_tensor_t *y = nullptr;
    Api::expectOk(api.run({batch, 5}, x, &y));
    ASSERT_NE(y, nullptr);
    ASSERT_EQ(cimrt_tensor_rank(y), 2u);
    EXPECT_EQ(cimrt_tensor_dims(y)[0], batch);
    EXPECT_EQ(cimrt_tensor_dims(y)[1], 3);
    ASSERT_EQ(cimrt_tensor_element_count(y), size_t(batch * 3));
    auto bias = denseReluBias();
    auto ref = referenceDense(x, batch, 5, 3, denseReluWeights(), &bias, true);
    const float *v = cimrt_tensor_data(y);
    for (size_t i = 0; i < ref.size(); ++i)
      EXPECT_NEAR(v[i], ref[i], 1e-6) << i;
    cimrt_tensor_release(y);
    rows += uint64_t(batch);
  }
  cimrt_session_stats_t stats;
  Api::expectOk(cimrt_session_stats(api.session, &stats));
  EXPECT_EQ(stats.runs, 2u);
  EXPECT_EQ(stats.tiles, 1u);
  EXPECT_EQ(stats.mvm_count, rows);
  EXPECT_EQ(stats.digital_op_count, 4u); // add + clamp, twice
  cimrt_device_stats_t dstats;
  Api::expectOk(cimrt_device_stats(api.device, &dstats));
  EXPECT_EQ(dstats.mvm_count, rows);
  EXPECT_EQ(dstats.tiles_programmed, 1u);
  EXPECT_STREQ(cimrt_device_uri(api.device), "sim://ideal");
}

TEST(CApi, BorrowedTensorsAreReadInPlace) {
  // A borrowed input gives what a copied one gives, and its memory goes
  // back to the caller exactly once, when the last tensor reading it goes.
  Api api(makeDenseRelu());
  const int64_t dims[2] = {4, 5};
  std::vector<float> x = pattern(20); // operator new: 16-byte aligned
  int released = 0;
  auto release = [](void *user) { ++*static_cast<int *>(user); };
  cimrt_tensor_t *in = nullptr, *y = nullptr, *want = nullptr;
  Api::expectOk(cimrt_tensor_create_borrowed(CIMRT_DTYPE_F32, dims, 2,
                                             x.data(), release, &released,
                                             &in));
  EXPECT_EQ(cimrt_tensor_raw_data(in), static_cast<const void *>(x.data()));
  Api::expectOk(cimrt_session_run(api.session, 1, &in, 1, &y));
  Api::expectOk(api.run({4, 5}, x, &want));
  ASSERT_EQ(cimrt_tensor_element_count(y), 12u);
  for (size_t i = 0; i < 12; ++i)
    EXPECT_EQ(cimrt_tensor_data(y)[i], cimrt_tensor_data(want)[i]) << i;
  EXPECT_EQ(released, 0);
  cimrt_tensor_release(in);
  EXPECT_EQ(released, 1);
  cimrt_tensor_release(y);
  cimrt_tensor_release(want);
  EXPECT_EQ(released, 1);

  // Refused: BOOL, misaligned or NULL data; the memory goes back at once.
  cimrt_status_t s = cimrt_tensor_create_borrowed(
      CIMRT_DTYPE_BOOL, dims, 2, x.data(), release, &released, &in);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_NE(std::string(cimrt_status_message(s)).find("cannot be borrowed"),
            std::string::npos);
  cimrt_status_free(s);
  s = cimrt_tensor_create_borrowed(CIMRT_DTYPE_F32, dims, 2, x.data() + 1,
                                   release, &released, &in);
  EXPECT_NE(std::string(cimrt_status_message(s)).find("aligned to 8 bytes"),
            std::string::npos);
  cimrt_status_free(s);
  s = cimrt_tensor_create_borrowed(CIMRT_DTYPE_F32, dims, 2, nullptr, release,
                                   &released, &in);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  cimrt_status_free(s);
  EXPECT_EQ(released, 4);
}

TEST(CApi, InputShapeMismatch) {
  Api api(makeDenseRelu());
  cimrt_tensor_t *y = nullptr;
  cimrt_status_t s = api.run({2, 4}, pattern(8), &y);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_EQ(std::string(cimrt_status_message(s)),
            "<memory>: input 'x' (index 0): dim 1 is 4 but the declared type "
            "[?,5] needs 5");
  EXPECT_EQ(y, nullptr);
  cimrt_status_free(s);

  s = api.run({10}, pattern(10), &y);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_NE(
      std::string(cimrt_status_message(s)).find("input 'x' (index 0): rank 1"),
      std::string::npos)
      << cimrt_status_message(s);
  cimrt_status_free(s);
}

TEST(CApi, WrongCountsAndNulls) {
  Api api(makeDenseRelu());
  cimrt_tensor_t *outs[2] = {nullptr, nullptr};
  cimrt_status_t s = cimrt_session_run(api.session, 0, nullptr, 1, outs);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_NE(
      std::string(cimrt_status_message(s)).find("the model has 1 input, got 0"),
      std::string::npos)
      << cimrt_status_message(s);
  cimrt_status_free(s);

  s = cimrt_session_run(api.session, 0, nullptr, 2, outs);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  cimrt_status_free(s);

  cimrt_tensor_t *null = nullptr;
  s = cimrt_session_run(api.session, 1, &null, 1, outs);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  cimrt_status_free(s);

  cimrt_model_t *model = reinterpret_cast<cimrt_model_t *>(&outs);
  s = cimrt_model_load_file(nullptr, &model);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_EQ(model, nullptr); // out params are cleared on error
  cimrt_status_free(s);

  cimrt_session_t *session = nullptr;
  s = cimrt_session_create(nullptr, api.device, nullptr, &session);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  cimrt_status_free(s);
  EXPECT_EQ(session, nullptr);

  cimrt_tensor_t *t = nullptr;
  int64_t bad[2] = {2, -1};
  s = cimrt_tensor_create(bad, 2, nullptr, &t);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_EQ(t, nullptr);
  cimrt_status_free(s);

  // Accessors tolerate NULL.
  EXPECT_EQ(cimrt_model_input_count(nullptr), 0u);
  EXPECT_EQ(cimrt_tensor_data(nullptr), nullptr);
  cimrt_model_release(nullptr);
  cimrt_tensor_release(nullptr);
}

TEST(CApi, ZeroFilledTensorAndScalar) {
  int64_t dims[2] = {2, 3};
  cimrt_tensor_t *t = nullptr;
  Api::expectOk(cimrt_tensor_create(dims, 2, nullptr, &t));
  for (size_t i = 0; i < 6; ++i)
    EXPECT_EQ(cimrt_tensor_data(t)[i], 0.0f);
  cimrt_tensor_retain(t);
  cimrt_tensor_release(t);
  EXPECT_EQ(cimrt_tensor_element_count(t), 6u);
  cimrt_tensor_release(t);

  float one = 1.0f;
  Api::expectOk(cimrt_tensor_create(nullptr, 0, &one, &t));
  EXPECT_EQ(cimrt_tensor_rank(t), 0u);
  EXPECT_EQ(cimrt_tensor_element_count(t), 1u);
  EXPECT_EQ(cimrt_tensor_data(t)[0], 1.0f);
  cimrt_tensor_release(t);
}

TEST(CApi, ObjectsOutliveTheirHandles) {
  // Release the model and device handles first: the session keeps both
  // alive, and releasing it frees the device's tiles.
  std::string bytes = makeSplitK().SerializeAsString();
  cimrt_model_t *model = nullptr;
  cimrt_device_t *device = nullptr;
  cimrt_session_t *session = nullptr;
  Api::expectOk(cimrt_model_load_memory(bytes.data(), bytes.size(), &model));
  Api::expectOk(cimrt_device_open("sim://quantized", &device));
  Api::expectOk(cimrt_session_create(model, device, nullptr, &session));
  cimrt_model_release(model);
  cimrt_device_retain(device); // keep one ref to look at the stats
  cimrt_device_release(device);

  cimrt_device_stats_t ds;
  Api::expectOk(cimrt_device_stats(device, &ds));
  EXPECT_EQ(ds.tiles_programmed, 2u);

  int64_t dims[2] = {1, 8};
  auto x = pattern(8);
  cimrt_tensor_t *in = nullptr;
  cimrt_tensor_t *out = nullptr;
  Api::expectOk(cimrt_tensor_create(dims, 2, x.data(), &in));
  Api::expectOk(cimrt_session_run(session, 1, &in, 1, &out));
  EXPECT_EQ(cimrt_tensor_element_count(out), 3u);
  cimrt_session_release(session);
  // Outputs stay valid after the session is gone.
  EXPECT_TRUE(std::isfinite(cimrt_tensor_data(out)[0]));
  Api::expectOk(cimrt_device_stats(device, &ds));
  EXPECT_EQ(ds.tiles_programmed, 0u);
  EXPECT_EQ(ds.mvm_count, 2u);
  cimrt_tensor_release(in);
  cimrt_tensor_release(out);
  cimrt_device_release(device);
}

TEST(CApi, OptionsTraceAndCheckFinite) {
  ArtifactBuilder b;
  uint32_t x = b.input("x", {2});
  b.output(b.op("tosa.log", {x}, {2}), "y");
  cimrt_session_options_t opts;
  cimrt_session_options_initialize(&opts);
  EXPECT_EQ(opts.trace, 0);
  EXPECT_EQ(opts.check_finite, 0);
  opts.trace = 1;
  opts.check_finite = 1;
  Api api(b.artifact(), "sim://", &opts);
  cimrt_tensor_t *y = nullptr;
  Api::expectOk(api.run({2}, {1.0f, 2.0f}, &y));
  cimrt_tensor_release(y);
  cimrt_status_t s = api.run({2}, {1.0f, -1.0f}, &y);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INTERNAL);
  EXPECT_NE(std::string(cimrt_status_message(s)).find("output 'y' element 1"),
            std::string::npos)
      << cimrt_status_message(s);
  cimrt_status_free(s);
}

TEST(CApi, ConcurrentRunsOnOneSession) {
  Api api(makeSplitK());
  auto x = pattern(4 * 8);
  cimrt_tensor_t *ref = nullptr;
  Api::expectOk(api.run({4, 8}, x, &ref));
  std::vector<float> want(cimrt_tensor_data(ref), cimrt_tensor_data(ref) + 12);
  cimrt_tensor_release(ref);

  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        cimrt_tensor_t *y = nullptr;
        cimrt_status_t s = api.run({4, 8}, x, &y);
        if (s || std::vector<float>(cimrt_tensor_data(y),
                                    cimrt_tensor_data(y) + 12) != want)
          ++mismatches[t];
        cimrt_status_free(s);
        cimrt_tensor_release(y);
      }
    });
  for (auto &th : threads)
    th.join();
  for (int m : mismatches)
    EXPECT_EQ(m, 0);
}

TEST(CApi, DtypeHelpers) {
  EXPECT_EQ(cimrt_dtype_size(CIMRT_DTYPE_F32), 4u);
  EXPECT_EQ(cimrt_dtype_size(CIMRT_DTYPE_I64), 8u);
  EXPECT_EQ(cimrt_dtype_size(CIMRT_DTYPE_BOOL), 1u);
  EXPECT_EQ(cimrt_dtype_size(CIMRT_DTYPE_INVALID), 0u);
  EXPECT_STREQ(cimrt_dtype_string(CIMRT_DTYPE_F32), "F32");
  EXPECT_STREQ(cimrt_dtype_string(CIMRT_DTYPE_I64), "I64");
  EXPECT_STREQ(cimrt_dtype_string(CIMRT_DTYPE_BOOL), "BOOL");
  EXPECT_STREQ(cimrt_dtype_string(cimrt_dtype_t(42)), "INVALID");
}

TEST(CApi, TypedTensors) {
  int64_t dims[2] = {2, 2};
  int64_t ints[4] = {-1, 1LL << 40, 0, 7};
  cimrt_tensor_t *t = nullptr;
  Api::expectOk(cimrt_tensor_create_typed(CIMRT_DTYPE_I64, dims, 2, ints, &t));
  EXPECT_EQ(cimrt_tensor_dtype(t), CIMRT_DTYPE_I64);
  EXPECT_EQ(cimrt_tensor_data(t), nullptr); // not F32
  const auto *back = static_cast<const int64_t *>(cimrt_tensor_raw_data(t));
  EXPECT_EQ(std::vector<int64_t>(back, back + 4),
            std::vector<int64_t>(ints, ints + 4));
  cimrt_tensor_release(t);

  // BOOL bytes are normalised to 0/1.
  uint8_t flags[3] = {0, 2, 1};
  int64_t n = 3;
  Api::expectOk(
      cimrt_tensor_create_typed(CIMRT_DTYPE_BOOL, &n, 1, flags, &t));
  EXPECT_EQ(cimrt_tensor_dtype(t), CIMRT_DTYPE_BOOL);
  const auto *b = static_cast<const uint8_t *>(cimrt_tensor_raw_data(t));
  EXPECT_EQ(std::vector<int>(b, b + 3), (std::vector<int>{0, 1, 1}));
  cimrt_tensor_release(t);

  // Scalars and zero-filled tensors of every type.
  for (cimrt_dtype_t d : {CIMRT_DTYPE_F32, CIMRT_DTYPE_I64, CIMRT_DTYPE_BOOL}) {
    Api::expectOk(cimrt_tensor_create_typed(d, nullptr, 0, nullptr, &t));
    EXPECT_EQ(cimrt_tensor_rank(t), 0u);
    EXPECT_EQ(cimrt_tensor_element_count(t), 1u);
    EXPECT_EQ(cimrt_tensor_dtype(t), d);
    const auto *bytes = static_cast<const uint8_t *>(cimrt_tensor_raw_data(t));
    for (size_t i = 0; i < cimrt_dtype_size(d); ++i)
      EXPECT_EQ(bytes[i], 0);
    cimrt_tensor_release(t);
  }
  // The F32 path is the same as cimrt_tensor_create.
  float f[2] = {1.5f, -2};
  n = 2;
  Api::expectOk(cimrt_tensor_create_typed(CIMRT_DTYPE_F32, &n, 1, f, &t));
  EXPECT_EQ(cimrt_tensor_data(t)[1], -2.0f);
  EXPECT_EQ(cimrt_tensor_raw_data(t), cimrt_tensor_data(t));
  cimrt_tensor_release(t);

  cimrt_status_t s = cimrt_tensor_create_typed(CIMRT_DTYPE_INVALID, &n, 1,
                                               nullptr, &t);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  EXPECT_STREQ(cimrt_status_message(s),
               "cimrt_tensor_create_typed: unknown dtype 0");
  EXPECT_EQ(t, nullptr);
  cimrt_status_free(s);
  s = cimrt_tensor_create_typed(CIMRT_DTYPE_I64, &n, 1, nullptr, nullptr);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_INVALID_ARGUMENT);
  cimrt_status_free(s);
  EXPECT_EQ(cimrt_tensor_dtype(nullptr), CIMRT_DTYPE_INVALID);
  EXPECT_EQ(cimrt_tensor_raw_data(nullptr), nullptr);
}

TEST(CApi, TypedModelIo) {
  Api api(makeTyped());
  EXPECT_EQ(cimrt_model_input_dtype(api.model, 0), CIMRT_DTYPE_F32);
  EXPECT_EQ(cimrt_model_input_dtype(api.model, 1), CIMRT_DTYPE_I64);
  EXPECT_EQ(cimrt_model_input_dtype(api.model, 2), CIMRT_DTYPE_BOOL);
  EXPECT_EQ(cimrt_model_input_dtype(api.model, 3), CIMRT_DTYPE_INVALID);
  EXPECT_EQ(cimrt_model_output_dtype(api.model, 0), CIMRT_DTYPE_I64);
  EXPECT_EQ(cimrt_model_output_dtype(api.model, 1), CIMRT_DTYPE_BOOL);
  EXPECT_EQ(cimrt_model_output_dtype(api.model, 2), CIMRT_DTYPE_I64);
  EXPECT_EQ(cimrt_model_output_dtype(nullptr, 0), CIMRT_DTYPE_INVALID);

  int64_t n = 4;
  float x[4] = {-1, 3, 0.5f, 3};
  int64_t ids[4] = {1, -2, 1LL << 50, 0};
  uint8_t flag = 1;
  cimrt_tensor_t *in[3] = {nullptr, nullptr, nullptr};
  Api::expectOk(cimrt_tensor_create_typed(CIMRT_DTYPE_F32, &n, 1, x, &in[0]));
  Api::expectOk(
      cimrt_tensor_create_typed(CIMRT_DTYPE_I64, &n, 1, ids, &in[1]));
  Api::expectOk(
      cimrt_tensor_create_typed(CIMRT_DTYPE_BOOL, nullptr, 0, &flag, &in[2]));
  cimrt_tensor_t *out[3] = {nullptr, nullptr, nullptr};
  Api::expectOk(cimrt_session_run(api.session, 3, in, 3, out));
  ASSERT_EQ(cimrt_tensor_dtype(out[0]), CIMRT_DTYPE_I64);
  const auto *twice = static_cast<const int64_t *>(cimrt_tensor_raw_data(out[0]));
  EXPECT_EQ(std::vector<int64_t>(twice, twice + 4),
            (std::vector<int64_t>{2, -4, 1LL << 51, 0}));
  ASSERT_EQ(cimrt_tensor_dtype(out[1]), CIMRT_DTYPE_BOOL);
  const auto *pos = static_cast<const uint8_t *>(cimrt_tensor_raw_data(out[1]));
  EXPECT_EQ(std::vector<int>(pos, pos + 4), (std::vector<int>{0, 1, 1, 1}));
  ASSERT_EQ(cimrt_tensor_dtype(out[2]), CIMRT_DTYPE_I64);
  EXPECT_EQ(cimrt_tensor_rank(out[2]), 0u); // a scalar output
  EXPECT_EQ(*static_cast<const int64_t *>(cimrt_tensor_raw_data(out[2])), 1);
  EXPECT_EQ(cimrt_tensor_data(out[2]), nullptr);
  for (auto *t : out)
    cimrt_tensor_release(t);

  // F32-only hosts still work: inputs are converted to the declared types
  // (2.9 -> 2 truncates, 0.25 -> true).
  float fids[4] = {2.9f, -1, 0, 5};
  float fflag = 0.25f;
  cimrt_tensor_release(in[1]);
  cimrt_tensor_release(in[2]);
  Api::expectOk(cimrt_tensor_create(&n, 1, fids, &in[1]));
  Api::expectOk(cimrt_tensor_create(nullptr, 0, &fflag, &in[2]));
  Api::expectOk(cimrt_session_run(api.session, 3, in, 3, out));
  twice = static_cast<const int64_t *>(cimrt_tensor_raw_data(out[0]));
  EXPECT_EQ(std::vector<int64_t>(twice, twice + 4),
            (std::vector<int64_t>{4, -2, 0, 10}));
  pos = static_cast<const uint8_t *>(cimrt_tensor_raw_data(out[1]));
  EXPECT_EQ(std::vector<int>(pos, pos + 4), (std::vector<int>{0, 1, 1, 1}));
  for (auto *t : out)
    cimrt_tensor_release(t);
  for (auto *t : in)
    cimrt_tensor_release(t);
}

} // namespace
