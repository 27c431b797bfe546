//===- hello.c - The smallest host application of cimrt -----------*- C -*-===//
//
// Loads the artifact named on the command line, opens a device (the ideal
// simulator, or the device URI given second, e.g. board://127.0.0.1:7070),
// feeds the first input a ramp of values (dynamic dims become 1; the runtime
// converts them if the input is I64 or BOOL) and prints the output in its
// element type. Each call is checked: on error the status message, which
// always names what went wrong, is printed and the program exits with 1.
//
//===----------------------------------------------------------------------===//

#include <cimrt/cimrt.h>

#include <stdio.h>
#include <stdlib.h>

// Prints and frees `status`; returns 1 if it was an error.
static int failed(cimrt_status_t status) {
  if (!status)
    return 0;
  fprintf(stderr, "hello: %s: %s\n",
          cimrt_status_code_string(cimrt_status_code(status)),
          cimrt_status_message(status));
  cimrt_status_free(status);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage: %s MODEL.cimx [DEVICE_URI]\n", argv[0]);
    return 2;
  }
  const char *uri = argc == 3 ? argv[2] : "sim://ideal";
  cimrt_model_t *model = NULL;
  cimrt_device_t *device = NULL;
  cimrt_session_t *session = NULL;
  cimrt_tensor_t *input = NULL;
  cimrt_tensor_t *output = NULL;
  float *data = NULL;
  const int64_t *declared;
  int64_t dims[8];
  size_t rank, count = 1;
  const char *name;
  int rc = 1;

  if (failed(cimrt_model_load_file(argv[1], &model)) ||
      failed(cimrt_device_open(uri, &device)) ||
      failed(cimrt_session_create(model, device, NULL, &session)))
    goto done;
  if (cimrt_model_input_count(model) != 1 ||
      cimrt_model_output_count(model) != 1) {
    fprintf(stderr, "hello: expected a model with one input and one output\n");
    goto done;
  }

  // The input takes the declared shape, with dynamic dims (-1) set to 1.
  if (failed(cimrt_model_input_dims(model, 0, &rank, &declared)))
    goto done;
  if (rank > 8)
    goto done;
  for (size_t i = 0; i < rank; ++i) {
    dims[i] = declared[i] < 0 ? 1 : declared[i];
    count *= (size_t)dims[i];
  }
  data = malloc((count ? count : 1) * sizeof(float));
  if (!data)
    goto done;
  for (size_t i = 0; i < count; ++i)
    data[i] = 0.25f * (float)(i % 8) - 1.0f; // -1.0, -0.75, ..., 0.75
  if (failed(cimrt_tensor_create(dims, rank, data, &input)))
    goto done;

  // Inputs and outputs are arrays in the model's declared order.
  if (failed(cimrt_session_run(session, 1, &input, 1, &output)))
    goto done;

  if (failed(cimrt_model_output_name(model, 0, &name)))
    goto done;
  printf("%s (%zu values):", name, cimrt_tensor_element_count(output));
  // Outputs come in their declared element type.
  const void *raw = cimrt_tensor_raw_data(output);
  for (size_t i = 0; i < cimrt_tensor_element_count(output); ++i) {
    switch (cimrt_tensor_dtype(output)) {
    case CIMRT_DTYPE_F32:
      printf(" %g", ((const float *)raw)[i]);
      break;
    case CIMRT_DTYPE_I64:
      printf(" %lld", (long long)((const int64_t *)raw)[i]);
      break;
    default:
      printf(" %d", ((const uint8_t *)raw)[i]);
      break;
    }
  }
  printf("\n");
  rc = 0;

done:
  // Releasing NULL is a no-op, so one cleanup path serves every exit.
  free(data);
  cimrt_tensor_release(output);
  cimrt_tensor_release(input);
  cimrt_session_release(session);
  cimrt_device_release(device);
  cimrt_model_release(model);
  return rc;
}
