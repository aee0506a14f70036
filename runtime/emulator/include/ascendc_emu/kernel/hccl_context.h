// GetHcclContext: the HCCL resource block of an MC2 operator's communicator (OpDef::MC2().HcclGroup).
//
// The harness builds it (harness/comm.h) from the shared window files of a simulated communication domain;
// its layout is declared in mc2_hccl_context.h, which MC2 kernels include.
#pragma once

#include <cstdint>

#include "ascendc_emu/kernel/macros_qualifiers.h"
#include "ascendc_emu/kernel/runtime.h"

namespace ascendc_emu {

constexpr uint32_t kMaxHcclGroups = 2;

// The context of each communicator group of the launch; null when the run has no communication domain.
inline uint8_t*& hccl_context(uint32_t group) {
    static uint8_t* contexts[kMaxHcclGroups] = {};
    return contexts[group];
}

}  // namespace ascendc_emu

namespace AscendC {

constexpr uint32_t HCCL_GROUP_ID_0 = 0;
constexpr uint32_t HCCL_GROUP_ID_1 = 1;

template <uint32_t groupId>
__aicore__ inline GM_ADDR GetHcclContext(ASCENDC_EMU_LOC) {
    static_assert(groupId < ascendc_emu::kMaxHcclGroups, "GetHcclContext: group id 0 or 1");
    ascendc_emu::enter("GetHcclContext", loc);
    uint8_t* ctx = ascendc_emu::hccl_context(groupId);
    if (ctx == nullptr) {
        ascendc_emu::fail(loc, "GetHcclContext",
                          ascendc_emu::cat("no communicator for group ", groupId,
                                           ": the operator runs outside a communication domain (create a runtime.CommDomain and pass rank=...)"));
    }
    return ctx;
}

}  // namespace AscendC
