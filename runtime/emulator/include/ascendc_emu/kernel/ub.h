// Unified Buffer bookkeeping: the buffers TPipe hands out, the view a LocalTensor holds, and the checks
// every UB operand goes through (liveness, 32-byte alignment, element count).
#pragma once

#include <cstdint>
#include <string>

#include "../common/fault.h"
#include "enums.h"
#include "scalar_types.h"

namespace ascendc_emu {

enum class SlotState : uint8_t { Free, Allocated, Queued, Dequeued, Fixed };

struct QueueState;

// One buffer created by TPipe::InitBuffer (a queue owns `num` of them, a TBuf one).
struct BufferSlot {
    uint32_t addr = 0;  // byte offset in UB, 32-byte aligned
    uint32_t len = 0;   // bytes, rounded up to 32
    SlotState state = SlotState::Free;
    uint32_t gen = 0;  // bumped on every AllocTensor, so stale LocalTensor copies are detected
    const QueueState* owner = nullptr;
    std::string desc;  // "buffer 1 of TQue<VECIN, depth 2>", for messages
    Loc alloc_loc{nullptr, 0};
};

// What a LocalTensor refers to: a window of a buffer in this core's UB.
struct UbView {
    uint8_t* ub = nullptr;  // null: never allocated
    uint32_t addr = 0;      // byte offset of element 0 in UB
    uint32_t size = 0;      // elements
    uint32_t base = 0;      // byte offset of the buffer start
    uint32_t limit = 0;     // byte offset one past the buffer end
    BufferSlot* slot = nullptr;
    uint32_t gen = 0;
    AscendC::TPosition pos = AscendC::TPosition::VECCALC;
};

inline void check_live(const UbView& v, const char* api, const char* role, const Loc& loc) {
    if (v.ub == nullptr) fail(loc, api, cat(role, " is a LocalTensor that was never allocated (default-constructed)"));
    if (v.slot == nullptr) return;
    if (v.slot->gen != v.gen || v.slot->state == SlotState::Free) {
        fail(loc, api, cat(role, " uses ", v.slot->desc, " after FreeTensor (a stale LocalTensor copy)"));
    }
    if (v.slot->state == SlotState::Queued) {
        fail(loc, api, cat(role, " uses ", v.slot->desc, " between EnQue and DeQue (use the tensor DeQue returns)"));
    }
}

// A UB operand of a DMA or vector instruction: live, 32-byte aligned, holding at least `elems` elements.
template <class T>
void check_ub(const UbView& v, uint64_t elems, const char* api, const char* role, const Loc& loc) {
    check_live(v, api, role, loc);
    if (v.addr % 32 != 0) {
        fail(loc, api, cat(role, " LocalTensor<", type_name<T>(), "> starts at UB offset ", v.addr, ", which is not 32-byte aligned (",
                           v.addr - v.base, " bytes into its buffer; a tensor[offset] view needs offset * sizeof(", type_name<T>(),
                           ") to be a multiple of 32)"));
    }
    if (elems > v.size) {
        fail(loc, api, cat(role, " needs ", elems, " elements of ", type_name<T>(), " but the LocalTensor holds ", v.size));
    }
}

template <class T>
T* ub_ptr(const UbView& v) {
    return reinterpret_cast<T*>(v.ub + v.addr);
}

}  // namespace ascendc_emu
