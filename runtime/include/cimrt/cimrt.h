//===- cimrt.h - The cim runtime C API ----------------------------*- C -*-===//
//
// The public, C-compatible interface of libcimrt: load a compiled model
// (.cimx artifact), open a device by URI, create a session that programs the
// model's weight tiles into the device, and run it on host tensors.
//
// Conventions (IREE-like, so a host app can check every call the same way):
//  - Fallible functions return cimrt_status_t; NULL means OK. A non-NULL
//    status is owned by the caller and must be freed with cimrt_status_free.
//  - Objects are reference counted: *_create / *_open / *_load return an
//    object with one reference that the caller owns; *_retain adds one,
//    *_release drops one (NULL is ignored). Objects keep what they depend on
//    alive (a session retains its model and device), so release order does
//    not matter.
//  - Output parameters are last and start with `out_`; on error they are left
//    set to NULL.
//  - Pointers returned by accessors (names, dims, data) stay valid as long as
//    the object they came from is alive.
//  - Tensors hold 32-bit floats in dense row-major order.
//  - Objects may be shared between threads; a session serialises concurrent
//    cimrt_session_run calls on itself.
//===----------------------------------------------------------------------===//

#ifndef CIMRT_CIMRT_H
#define CIMRT_CIMRT_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define CIMRT_API
#else
#define CIMRT_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

typedef enum cimrt_status_code_e {
  CIMRT_OK = 0,
  CIMRT_INVALID_ARGUMENT = 1,    // the caller passed something wrong
  CIMRT_NOT_FOUND = 2,           // a file, device scheme or name is missing
  CIMRT_DATA_LOSS = 3,           // the artifact is corrupt or inconsistent
  CIMRT_UNIMPLEMENTED = 4,       // valid, but not supported by this runtime
  CIMRT_FAILED_PRECONDITION = 5, // the object is not in a usable state
  CIMRT_INTERNAL = 6,            // a bug in the runtime
} cimrt_status_code_t;

// An error: a code plus a message naming what it is about. NULL is OK.
typedef struct cimrt_status_impl *cimrt_status_t;

// The code of `status`; CIMRT_OK for NULL.
CIMRT_API cimrt_status_code_t cimrt_status_code(cimrt_status_t status);
// The message of `status` ("OK" for NULL); valid until the status is freed.
CIMRT_API const char *cimrt_status_message(cimrt_status_t status);
// Frees `status`; NULL is ignored.
CIMRT_API void cimrt_status_free(cimrt_status_t status);
// A constant name for `code`, e.g. "DATA_LOSS".
CIMRT_API const char *cimrt_status_code_string(cimrt_status_code_t code);

// Returns the status of `expr` from the enclosing function unless it is OK.
#define CIMRT_RETURN_IF_ERROR(expr)                                            \
  do {                                                                         \
    cimrt_status_t cimrt_status_tmp_ = (expr);                                 \
    if (cimrt_status_tmp_ != NULL)                                             \
      return cimrt_status_tmp_;                                                \
  } while (0)

// The runtime version ("0.1.0") and the newest artifact version it reads.
CIMRT_API const char *cimrt_version_string(void);
CIMRT_API uint32_t cimrt_artifact_version(void);

//===----------------------------------------------------------------------===//
// Model: a validated, immutable .cimx artifact
//===----------------------------------------------------------------------===//

typedef struct cimrt_model_t cimrt_model_t;

// Reads and validates an artifact. Errors name `path` (NOT_FOUND if the file
// cannot be opened, DATA_LOSS if it is corrupt, UNIMPLEMENTED if it needs a
// newer runtime).
CIMRT_API cimrt_status_t cimrt_model_load_file(const char *path,
                                               cimrt_model_t **out_model);
// Same from bytes (copied; errors are labelled "<memory>").
CIMRT_API cimrt_status_t cimrt_model_load_memory(const void *data, size_t size,
                                                 cimrt_model_t **out_model);
CIMRT_API void cimrt_model_retain(cimrt_model_t *model);
CIMRT_API void cimrt_model_release(cimrt_model_t *model);

CIMRT_API size_t cimrt_model_input_count(const cimrt_model_t *model);
CIMRT_API size_t cimrt_model_output_count(const cimrt_model_t *model);
// The name of input/output `index` (may be ""). INVALID_ARGUMENT if out of
// range.
CIMRT_API cimrt_status_t cimrt_model_input_name(const cimrt_model_t *model,
                                                size_t index,
                                                const char **out_name);
CIMRT_API cimrt_status_t cimrt_model_output_name(const cimrt_model_t *model,
                                                 size_t index,
                                                 const char **out_name);
// The declared dims of input/output `index`; -1 marks a dynamic dim.
CIMRT_API cimrt_status_t cimrt_model_input_dims(const cimrt_model_t *model,
                                                size_t index, size_t *out_rank,
                                                const int64_t **out_dims);
CIMRT_API cimrt_status_t cimrt_model_output_dims(const cimrt_model_t *model,
                                                 size_t index, size_t *out_rank,
                                                 const int64_t **out_dims);
// The name of the hardware target the model was compiled for.
CIMRT_API const char *cimrt_model_target_name(const cimrt_model_t *model);
// How many weight tiles the model programs into a device.
CIMRT_API size_t cimrt_model_tile_count(const cimrt_model_t *model);

//===----------------------------------------------------------------------===//
// Device
//===----------------------------------------------------------------------===//

typedef struct cimrt_device_t cimrt_device_t;

// Opens a device: "sim://" (= "sim://ideal"), "sim://ideal",
// "sim://quantized". NOT_FOUND for an unknown scheme, INVALID_ARGUMENT for an
// unknown path of a known scheme.
CIMRT_API cimrt_status_t cimrt_device_open(const char *uri,
                                           cimrt_device_t **out_device);
CIMRT_API void cimrt_device_retain(cimrt_device_t *device);
CIMRT_API void cimrt_device_release(cimrt_device_t *device);
// The canonical URI of the device, e.g. "sim://ideal".
CIMRT_API const char *cimrt_device_uri(const cimrt_device_t *device);

typedef struct cimrt_device_stats_t {
  uint64_t tiles_programmed; // tiles currently programmed
  uint64_t mvm_count;        // matrix-vector products (one per batch row)
  uint64_t mvm_calls;        // device mvm invocations (each for a batch)
} cimrt_device_stats_t;

CIMRT_API cimrt_status_t cimrt_device_stats(const cimrt_device_t *device,
                                            cimrt_device_stats_t *out_stats);

//===----------------------------------------------------------------------===//
// Tensor: dense row-major float32, immutable once created
//===----------------------------------------------------------------------===//

typedef struct cimrt_tensor_t cimrt_tensor_t;

// Creates a tensor of shape dims[0..rank) and copies its elements from
// `data` (NULL: zero-filled). Every dim must be >= 0.
CIMRT_API cimrt_status_t cimrt_tensor_create(const int64_t *dims, size_t rank,
                                             const float *data,
                                             cimrt_tensor_t **out_tensor);
CIMRT_API void cimrt_tensor_retain(cimrt_tensor_t *tensor);
CIMRT_API void cimrt_tensor_release(cimrt_tensor_t *tensor);
CIMRT_API size_t cimrt_tensor_rank(const cimrt_tensor_t *tensor);
CIMRT_API const int64_t *cimrt_tensor_dims(const cimrt_tensor_t *tensor);
CIMRT_API size_t cimrt_tensor_element_count(const cimrt_tensor_t *tensor);
CIMRT_API const float *cimrt_tensor_data(const cimrt_tensor_t *tensor);

//===----------------------------------------------------------------------===//
// Session: a model bound to a device
//===----------------------------------------------------------------------===//

typedef struct cimrt_session_t cimrt_session_t;

typedef struct cimrt_session_options_t {
  // Nonzero: print every executed instruction with its output shape to
  // stderr (for debugging compiler output).
  int32_t trace;
  // Nonzero: fail a run (INTERNAL) when an output contains NaN or Inf.
  int32_t check_finite;
} cimrt_session_options_t;

// Sets every option to its default; call before changing fields.
CIMRT_API void
cimrt_session_options_initialize(cimrt_session_options_t *out_options);

// Programs every tile of `model` into `device`. `options` may be NULL.
CIMRT_API cimrt_status_t cimrt_session_create(
    cimrt_model_t *model, cimrt_device_t *device,
    const cimrt_session_options_t *options, cimrt_session_t **out_session);
CIMRT_API void cimrt_session_retain(cimrt_session_t *session);
CIMRT_API void cimrt_session_release(cimrt_session_t *session);

// Runs the model. `inputs` are in the model's declared input order and their
// shapes must match the declared dims (dynamic dims accept any size).
// `num_outputs` must equal the model's output count; out_outputs[i] receives
// a new tensor the caller releases.
CIMRT_API cimrt_status_t cimrt_session_run(cimrt_session_t *session,
                                           size_t num_inputs,
                                           cimrt_tensor_t *const *inputs,
                                           size_t num_outputs,
                                           cimrt_tensor_t **out_outputs);

typedef struct cimrt_session_stats_t {
  uint64_t runs;             // successful cimrt_session_run calls
  uint64_t tiles;            // tiles programmed for this session
  uint64_t mvm_count;        // matrix-vector products on the device
  uint64_t digital_op_count; // digital kernel instructions executed
} cimrt_session_stats_t;

CIMRT_API cimrt_status_t cimrt_session_stats(const cimrt_session_t *session,
                                             cimrt_session_stats_t *out_stats);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // CIMRT_CIMRT_H
