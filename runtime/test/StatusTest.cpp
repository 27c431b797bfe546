//===- StatusTest.cpp - The status API --------------------------*- C++ -*-===//
//
// NULL-is-OK semantics, codes and messages of C statuses, the
// CIMRT_RETURN_IF_ERROR macro, and the C++ Status/StatusOr underneath.
//
//===----------------------------------------------------------------------===//

#include "cimrt/cimrt.h"

#include "base/Status.h"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(Status, NullIsOk) {
  EXPECT_EQ(cimrt_status_code(nullptr), CIMRT_OK);
  EXPECT_STREQ(cimrt_status_message(nullptr), "OK");
  cimrt_status_free(nullptr); // must be a no-op
}

TEST(Status, ErrorHasCodeAndMessage) {
  cimrt_device_t *device = nullptr;
  cimrt_status_t s = cimrt_device_open("bogus://x", &device);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(device, nullptr);
  EXPECT_EQ(cimrt_status_code(s), CIMRT_NOT_FOUND);
  std::string msg = cimrt_status_message(s);
  EXPECT_NE(msg.find("'bogus://x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sim://"), std::string::npos) << msg;
  cimrt_status_free(s);
}

TEST(Status, CodeStrings) {
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_OK), "OK");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_INVALID_ARGUMENT),
               "INVALID_ARGUMENT");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_NOT_FOUND), "NOT_FOUND");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_DATA_LOSS), "DATA_LOSS");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_UNIMPLEMENTED), "UNIMPLEMENTED");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_FAILED_PRECONDITION),
               "FAILED_PRECONDITION");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_INTERNAL), "INTERNAL");
  EXPECT_STREQ(cimrt_status_code_string(CIMRT_UNAVAILABLE), "UNAVAILABLE");
}

int reachedAfterError = 0;

cimrt_status_t openTwo(const char *first, const char *second) {
  cimrt_device_t *a = nullptr;
  cimrt_device_t *b = nullptr;
  CIMRT_RETURN_IF_ERROR(cimrt_device_open(first, &a));
  cimrt_device_release(a);
  ++reachedAfterError;
  CIMRT_RETURN_IF_ERROR(cimrt_device_open(second, &b));
  cimrt_device_release(b);
  return nullptr;
}

TEST(Status, ReturnIfErrorMacro) {
  reachedAfterError = 0;
  EXPECT_EQ(openTwo("sim://", "sim://quantized"), nullptr);
  EXPECT_EQ(reachedAfterError, 1);

  reachedAfterError = 0;
  cimrt_status_t s = openTwo("nope://", "sim://");
  EXPECT_EQ(cimrt_status_code(s), CIMRT_NOT_FOUND);
  EXPECT_EQ(reachedAfterError, 0);
  cimrt_status_free(s);
}

TEST(Status, VersionQueries) {
  EXPECT_STREQ(cimrt_version_string(), "0.1.0");
  EXPECT_EQ(cimrt_artifact_version(), 6u);
}

TEST(Status, CxxStatusOr) {
  using cim::rt::Code;
  cim::rt::StatusOr<int> ok(3);
  ASSERT_TRUE(ok.isOk());
  EXPECT_EQ(*ok, 3);
  cim::rt::StatusOr<int> bad(cim::rt::makeError(Code::NotFound, "x: ", 42));
  ASSERT_FALSE(bad.isOk());
  EXPECT_EQ(bad.status().code(), Code::NotFound);
  EXPECT_EQ(bad.status().message(), "x: 42");
  EXPECT_EQ(bad.status().withPrefix("f: ").message(), "f: x: 42");
}

} // namespace
