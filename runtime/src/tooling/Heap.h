//===- Heap.h - Heap settings for short tool processes ----------*- C++ -*-===//
//
// A tool that reads, converts and frees tensors of megabytes once, then
// exits, spends its time in page faults: each fresh 4 KiB page costs one,
// and in a virtual machine one costs microseconds. tuneHeapForTensors keeps
// large allocations in the heap (no mmap per tensor, nothing returned to the
// system before exit), reserves the heap in one step and advises the kernel
// to back it with transparent huge pages, so that a megabyte tensor costs
// a fault per 2 MiB. The advice is only a hint: where transparent huge
// pages are off, nothing changes but the fault count.
//
//===----------------------------------------------------------------------===//

#ifndef CIMRT_SRC_TOOLING_HEAP_H
#define CIMRT_SRC_TOOLING_HEAP_H

namespace cim::tooling {

/// Call first in main, before any large allocation.
void tuneHeapForTensors();

} // namespace cim::tooling

#endif // CIMRT_SRC_TOOLING_HEAP_H
