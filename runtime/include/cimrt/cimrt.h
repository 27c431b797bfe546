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
//  - Tensors are dense, row-major and immutable; their elements are F32,
//    I64 or BOOL (one byte per element, 0 or 1).
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
  CIMRT_UNAVAILABLE = 7,         // a remote device did not answer in time
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
// Element types
//===----------------------------------------------------------------------===//

typedef enum cimrt_dtype_e {
  CIMRT_DTYPE_INVALID = 0, // returned for a NULL object or a bad index
  CIMRT_DTYPE_F32 = 1,     // float
  CIMRT_DTYPE_I64 = 2,     // int64_t
  CIMRT_DTYPE_BOOL = 3,    // uint8_t holding 0 or 1
} cimrt_dtype_t;

// Bytes per element (4, 8, 1); 0 for an invalid dtype.
CIMRT_API size_t cimrt_dtype_size(cimrt_dtype_t dtype);
// A constant name: "F32", "I64", "BOOL" or "INVALID".
CIMRT_API const char *cimrt_dtype_string(cimrt_dtype_t dtype);

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
// The declared element type of input/output `index`; CIMRT_DTYPE_INVALID
// for a NULL model or an index out of range.
CIMRT_API cimrt_dtype_t cimrt_model_input_dtype(const cimrt_model_t *model,
                                                size_t index);
CIMRT_API cimrt_dtype_t cimrt_model_output_dtype(const cimrt_model_t *model,
                                                 size_t index);
// The name of the hardware target the model was compiled for.
CIMRT_API const char *cimrt_model_target_name(const cimrt_model_t *model);
// How many weight tiles the model programs into a device.
CIMRT_API size_t cimrt_model_tile_count(const cimrt_model_t *model);

//===----------------------------------------------------------------------===//
// Device
//===----------------------------------------------------------------------===//

typedef struct cimrt_device_t cimrt_device_t;

// Opens a device: "sim://" (= "sim://ideal"), "sim://ideal",
// "sim://quantized", with options as a query:
// "sim://quantized?noise=rram-nominal&seed=3&drift_time=3600&threads=2"
// (noise: a preset name or a JSON file; see docs/Simulator.md). NOT_FOUND
// for an unknown scheme, INVALID_ARGUMENT for an unknown path or option of
// a known scheme.
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
  // Signal-chain activity since the device was opened.
  uint64_t macs;             // cell multiply-accumulates (all slices, passes)
  uint64_t dac_conversions;
  uint64_t adc_conversions;
  uint64_t digital_ops;      // shift-add of slices and input passes
  uint64_t program_writes;   // cell write pulses (with program-and-verify)
  uint64_t tiles_reported;   // tile reports (cimrt_device_tile_report)
  // Energy (pJ) by component and latency (ns), from the cost figures of
  // the targets the tiles were compiled for.
  double energy_mac_pj, energy_dac_pj, energy_adc_pj, energy_digital_pj,
      energy_write_pj;
  double energy_pj;          // the sum
  double latency_ns;         // MVMs in sequence, plus the digital shift-add
  // Binary neurons (RRAM bridges): comparator decisions and charge-sharing
  // steps, and their energy with the bridges' (included in energy_pj).
  uint64_t comparisons, charge_shares;
  double energy_bridge_pj, energy_comparator_pj, energy_charge_share_pj;
} cimrt_device_stats_t;

CIMRT_API cimrt_status_t cimrt_device_stats(const cimrt_device_t *device,
                                            cimrt_device_stats_t *out_stats);

// What programming a tile did to its cells (non-zero only with a noise
// model): index in [0, tiles_reported), in programming order.
typedef struct cimrt_tile_report_t {
  uint32_t tile_id;
  uint64_t cells;            // physical cells
  uint64_t writes;           // write pulses
  uint64_t verify_failures;  // cells outside the verify window at the end
  uint64_t stuck_on, stuck_off;
  // Faulty rows and columns moved onto the array's spare ones.
  uint64_t row_remaps, col_remaps;
} cimrt_tile_report_t;

CIMRT_API cimrt_status_t cimrt_device_tile_report(
    const cimrt_device_t *device, size_t index, cimrt_tile_report_t *out);

// The link of a remote device (board://, board+serial://): what it took to
// get every request answered. All zero, with remote = 0, for a local one.
typedef struct cimrt_link_stats_t {
  int remote;                 // 1 for a device behind a link
  uint64_t requests;          // requests answered
  uint64_t frames_sent, frames_received, bytes_sent, bytes_received;
  uint64_t frames_rejected;   // received frames dropped (CRC, version, ...)
  uint64_t retries;           // requests sent again (same sequence number)
  uint64_t timeouts;          // waits for a reply that ran out
  uint64_t reconnects;        // links re-opened after a disconnect
  uint64_t stale_replies;     // late replies to an earlier sending
  uint64_t board_frames_rejected;     // frames the board dropped
  uint64_t board_duplicates_answered; // re-sent requests it answered again
} cimrt_link_stats_t;

CIMRT_API cimrt_status_t cimrt_device_link_stats(const cimrt_device_t *device,
                                                 cimrt_link_stats_t *out);

//===----------------------------------------------------------------------===//
// Tensor: dense row-major F32, I64 or BOOL, immutable once created
//===----------------------------------------------------------------------===//

typedef struct cimrt_tensor_t cimrt_tensor_t;

// Creates an F32 tensor of shape dims[0..rank) and copies its elements from
// `data` (NULL: zero-filled). Every dim must be >= 0; rank 0 is a scalar.
CIMRT_API cimrt_status_t cimrt_tensor_create(const int64_t *dims, size_t rank,
                                             const float *data,
                                             cimrt_tensor_t **out_tensor);
// The same for any element type: `data` points to product(dims) elements
// of `dtype` (float, int64_t, or uint8_t for BOOL, where any nonzero byte
// is stored as 1). INVALID_ARGUMENT for an unknown dtype.
CIMRT_API cimrt_status_t cimrt_tensor_create_typed(
    cimrt_dtype_t dtype, const int64_t *dims, size_t rank, const void *data,
    cimrt_tensor_t **out_tensor);
// A tensor over the caller's memory, without a copy: `data` holds
// product(dims) elements of `dtype` (F32 or I64), aligned to 8 bytes, and
// must stay valid and unchanged until `release(user)` is called (if
// `release` is not NULL): when the last tensor reading it goes (this one,
// or an output of a run that passes it through), or at once when this call
// fails. The runtime only reads it. BOOL data is copied by
// cimrt_tensor_create_typed instead.
CIMRT_API cimrt_status_t cimrt_tensor_create_borrowed(
    cimrt_dtype_t dtype, const int64_t *dims, size_t rank, const void *data,
    void (*release)(void *user), void *user, cimrt_tensor_t **out_tensor);
CIMRT_API void cimrt_tensor_retain(cimrt_tensor_t *tensor);
CIMRT_API void cimrt_tensor_release(cimrt_tensor_t *tensor);
CIMRT_API size_t cimrt_tensor_rank(const cimrt_tensor_t *tensor);
CIMRT_API const int64_t *cimrt_tensor_dims(const cimrt_tensor_t *tensor);
CIMRT_API size_t cimrt_tensor_element_count(const cimrt_tensor_t *tensor);
CIMRT_API cimrt_dtype_t cimrt_tensor_dtype(const cimrt_tensor_t *tensor);
// The elements as float; NULL unless the tensor is F32.
CIMRT_API const float *cimrt_tensor_data(const cimrt_tensor_t *tensor);
// The elements in their own type (see cimrt_dtype_t), element_count *
// cimrt_dtype_size(dtype) bytes.
CIMRT_API const void *cimrt_tensor_raw_data(const cimrt_tensor_t *tensor);

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
// shapes must match the declared dims (dynamic dims accept any size); an
// input whose element type differs from the declared one is converted
// (F32 -> I64 truncates toward zero, anything -> BOOL is x != 0), so F32-only
// hosts keep working. `num_outputs` must equal the model's output count;
// out_outputs[i] receives a new tensor of the output's declared element type
// (see cimrt_model_output_dtype) that the caller releases.
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

// The macro model's cost of every run of this session so far: the cost
// functions of the compiler's `--report` (docs/CostModel.md) applied to the
// work that ran, with the artifact's placement and layers. Energy in pJ by
// component, latency in ns (a layer's arrays in parallel, layers in
// sequence), and the activity behind them.
typedef struct cimrt_session_cost_t {
  double energy_pj; // the sum of the components below
  double energy_mac_pj, energy_dac_pj, energy_adc_pj, energy_digital_pj,
      energy_activation_pj, energy_integrator_pj;
  double latency_ns;
  uint64_t mvms;            // array reads (one per input pass)
  uint64_t macs;            // rows x weight columns per vector
  uint64_t dac_conversions, adc_conversions;
  uint64_t digital_ops;     // partial sums, shift-adds, activations
  // Binary neurons (RRAM bridges): comparator decisions, charge-sharing
  // steps and their energy with the bridges' (included in energy_pj).
  uint64_t comparisons, charge_shares;
  double energy_bridge_pj, energy_comparator_pj, energy_charge_share_pj;
  // Spiking layers: LIF neuron updates (neurons x steps) and spikes fired,
  // synaptic operations (MACs of nonzero inputs), rows driven by pulses
  // (spikes, rate or latency codes) instead of DAC levels, and the
  // neurons' and pulses' energy (included in energy_pj).
  uint64_t neuron_updates, spikes, synaptic_ops, input_pulses;
  double energy_neuron_pj, energy_pulse_pj;
} cimrt_session_cost_t;

CIMRT_API cimrt_status_t cimrt_session_cost(const cimrt_session_t *session,
                                            cimrt_session_cost_t *out_cost);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // CIMRT_CIMRT_H
