//===- ModelIo.h - A model's inputs and outputs through the C API -*- C++ -*-===//
//
// Header-only, over the public C API alone, so that the tools (linked with
// the runtime's internals) and the Python package (linked with libcimrt)
// list a model's inputs and outputs the same way.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_MODELIO_H
#define CIMRT_SRC_TOOLING_MODELIO_H

#include "cimrt/cimrt.h"

#include <cstdint>
#include <vector>

namespace cim::tooling {

/// Calls `visit(isInput, name, dims, dtype)` for every input, then every
/// output, of `model` in order; `check` turns a non-NULL status into the
/// caller's error (it does not return for one).
template <typename Check, typename Visit>
void forEachModelIo(const cimrt_model_t *model, Check check, Visit visit) {
  for (int io = 0; io < 2; ++io) {
    bool in = io == 0;
    size_t n =
        in ? cimrt_model_input_count(model) : cimrt_model_output_count(model);
    for (size_t i = 0; i < n; ++i) {
      const char *name;
      size_t rank;
      const int64_t *dims;
      check(in ? cimrt_model_input_name(model, i, &name)
               : cimrt_model_output_name(model, i, &name));
      check(in ? cimrt_model_input_dims(model, i, &rank, &dims)
               : cimrt_model_output_dims(model, i, &rank, &dims));
      cimrt_dtype_t dtype = in ? cimrt_model_input_dtype(model, i)
                               : cimrt_model_output_dtype(model, i);
      visit(in, name, std::vector<int64_t>(dims, dims + rank), dtype);
    }
  }
}

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_MODELIO_H
