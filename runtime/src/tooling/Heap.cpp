//===- Heap.cpp - Heap settings for short tool processes --------*- C++ -*-===//

#include "tooling/Heap.h"

#include <cstdint>
#include <cstdlib>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

namespace cim::tooling {

void tuneHeapForTensors() {
  constexpr size_t kReserve = size_t(256) << 20; // virtual, touched on use
  constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, int(kReserve));
  // An allocation larger than what the heap has left grows it by the
  // reservation besides; advise all of it that lies on whole huge pages.
  void *first = std::malloc(size_t(1) << 20);
  if (!first)
    return;
  auto at = reinterpret_cast<uintptr_t>(first);
  auto lo = (at + kHugePage - 1) & ~(kHugePage - 1);
  auto hi = reinterpret_cast<uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
  if (hi <= lo) {
    std::free(first);
    return;
  }
  madvise(reinterpret_cast<void *>(lo), hi - lo, MADV_HUGEPAGE);
  std::free(first);
  // The heap below the first huge page stays unused (a block held until
  // exit, never touched), so that tensors start on huge pages.
  constexpr size_t kChunkHeader = 2 * sizeof(size_t);
  if (lo - at > 2 * kChunkHeader) {
    [[maybe_unused]] void *held = std::malloc(lo - at - 2 * kChunkHeader);
  }
  // Later growth in the usual steps.
  mallopt(M_TOP_PAD, 128 << 10);
}

} // namespace cim::tooling
