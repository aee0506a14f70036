// Synchronisation and system values: PipeBarrier, SetFlag/WaitFlag, TQueSync, SyncAll, atomics, the data
// cache, GetBlockIdx/GetBlockNum, the user workspace.
//
// Cores run one after another instruction-wise, so flags cannot be observed out of order; what is checked is
// the pairing: event ids 0..7, no WaitFlag without a SetFlag before it, no SetFlag twice before its wait, and
// (by the harness) no flag left set when the kernel ends.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>

#include "runtime.h"
#include "scalar_types.h"
#include "tensor.h"

namespace ascendc_emu {

// `api` names the call with its event, e.g. "SetFlag<HardEvent::MTE2_V>".
inline void check_event_id(int32_t id, const std::string& api, const Loc& loc) {
    if (id < 0 || id >= kEventIds) fail(loc, api.c_str(), cat("event id ", id, " is outside 0..", kEventIds - 1));
}

inline void set_flag(int& count, const std::string& api, int32_t id, const Loc& loc) {
    if (count > 0) fail(loc, api.c_str(), cat("event id ", id, " is already set and not yet waited (SetFlag and WaitFlag must alternate)"));
    count += 1;
}

inline void wait_flag(int& count, const std::string& api, int32_t id, const Loc& loc) {
    if (count <= 0) fail(loc, api.c_str(), cat("event id ", id, " has no SetFlag before it (on the device this waits forever)"));
    count -= 1;
}

// The SyncAll barrier over the launched cores; a core that returns from the kernel while others wait would
// deadlock the device, so it is reported here.
inline void sync_all(const char* api, const Loc& loc) {
    CoreState& c = enter(api, loc);
    LaunchState& L = launch();
    if (L.schedule_mode != 1) {
        fail(loc, api, "SyncAll needs every core to run at once: the tiling function must call SetScheduleMode(1) (batch mode)");
    }
    c.syncall_count += 1;
    std::unique_lock<std::mutex> lock(L.bar_mu);
    auto finished_error = [&] {
        return cat("core(s) ", L.finished_names, " already returned from the kernel and will never reach SyncAll #", c.syncall_count,
                   " (every core must call SyncAll equally often)");
    };
    if (L.finished > 0) fail(loc, api, finished_error());
    const uint64_t gen = L.bar_gen;
    if (++L.bar_waiting == L.block_dim) {
        L.bar_waiting = 0;
        L.bar_gen += 1;
        L.bar_cv.notify_all();
        return;
    }
    c.status.store(int(CoreStatus::InSyncAll));
    while (L.bar_gen == gen) {
        if (L.abort.load()) throw Aborted{};
        if (L.finished > 0) fail(loc, api, finished_error());
        L.bar_cv.wait_for(lock, std::chrono::milliseconds(20));
    }
    c.status.store(int(CoreStatus::Running));
}

template <class T, int Op>  // Op: 0 add, 1 max, 2 min
void atomic_elems(uint8_t* dst, const uint8_t* src, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        T a, b, r;
        std::memcpy(&a, dst + i * sizeof(T), sizeof(T));
        std::memcpy(&b, src + i * sizeof(T), sizeof(T));
        if constexpr (is_floating<T>) {
            float x = float(a), y = float(b);
            r = T(Op == 0 ? x + y : (Op == 1 ? (x > y ? x : y) : (x < y ? x : y)));
        } else {
            int64_t x = int64_t(a), y = int64_t(b);
            r = T(Op == 0 ? x + y : (Op == 1 ? (x > y ? x : y) : (x < y ? x : y)));
        }
        std::memcpy(dst + i * sizeof(T), &r, sizeof(T));
    }
}

template <class T, int Op>
void set_atomic(const char* api, const Loc& loc) {
    static_assert(is_one_of<T, int8_t, int16_t, half, bfloat16_t, int32_t, float>,
                  "SetAtomicAdd/Max/Min: Atlas A2 supports int8_t, int16_t, half, bfloat16_t, int32_t, float");
    CoreState& c = enter(api, loc);
    c.atomic_size = sizeof(T);
    c.atomic_type = type_name<T>();
    c.atomic_add = &atomic_elems<T, Op>;
}

template <class A>
auto printf_arg(A a) {
    if constexpr (is_half_like<A>) return double(float(a));
    else return a;
}

inline GmRegion tiling_region(const uint8_t* tiling, size_t size, const char* api, const Loc& loc) {
    const GmRegion& r = gm_check(tiling, 0, api, "the tiling pointer", loc);
    uint64_t off = reinterpret_cast<uintptr_t>(tiling) - r.base;
    if (off + size > r.size) {
        fail(loc, api, cat("the kernel's tiling struct has ", size, " bytes but the host wrote ", r.size - off,
                           " bytes of tiling data (GetTilingData<T>() sets the size to sizeof(T): do host and kernel use the same struct?)"));
    }
    return r;
}

inline void load_tiling(void* dst, size_t size, const uint8_t* tiling, const Loc& loc) {
    CoreState& c = enter("GET_TILING_DATA", loc);
    tiling_region(tiling, size, "GET_TILING_DATA", loc);
    std::memcpy(dst, tiling, size);
    c.counters.tiling_read += size;
}

inline void note_kernel_type(KernelMetaType) {}

}  // namespace ascendc_emu

namespace AscendC {

template <pipe_t pipe>
void PipeBarrier(ASCENDC_EMU_LOC) {
    ascendc_emu::enter("PipeBarrier", loc);
}

template <HardEvent event>
void SetFlag(int32_t eventID, ASCENDC_EMU_LOC) {
    auto& c = ascendc_emu::enter("SetFlag", loc);
    const std::string api = ascendc_emu::cat("SetFlag<HardEvent::", ascendc_emu::event_name(event), ">");
    ascendc_emu::check_event_id(eventID, api, loc);
    ascendc_emu::set_flag(c.events[int(event)][eventID], api, eventID, loc);
}

template <HardEvent event>
void WaitFlag(int32_t eventID, ASCENDC_EMU_LOC) {
    auto& c = ascendc_emu::enter("WaitFlag", loc);
    const std::string api = ascendc_emu::cat("WaitFlag<HardEvent::", ascendc_emu::event_name(event), ">");
    ascendc_emu::check_event_id(eventID, api, loc);
    ascendc_emu::wait_flag(c.events[int(event)][eventID], api, eventID, loc);
}

// The portable form of SetFlag/WaitFlag, named by source and destination pipe.
template <pipe_t src, pipe_t dst>
class TQueSync {
public:
    void SetFlag(TEventID id, ASCENDC_EMU_LOC) {
        auto& c = ascendc_emu::enter("TQueSync::SetFlag", loc);
        ascendc_emu::check_event_id(id, "TQueSync::SetFlag", loc);
        ascendc_emu::set_flag(c.queue_sync[src][dst][id], "TQueSync::SetFlag", id, loc);
    }
    void WaitFlag(TEventID id, ASCENDC_EMU_LOC) {
        auto& c = ascendc_emu::enter("TQueSync::WaitFlag", loc);
        ascendc_emu::check_event_id(id, "TQueSync::WaitFlag", loc);
        ascendc_emu::wait_flag(c.queue_sync[src][dst][id], "TQueSync::WaitFlag", id, loc);
    }
};

template <bool isAIVOnly = true>
void SyncAll(ASCENDC_EMU_LOC) {
    ascendc_emu::sync_all("SyncAll", loc);
}

// Software SyncAll through a zeroed GM workspace (blockNum * 32 bytes) and a UB workspace of the same size.
template <bool isAIVOnly = true>
void SyncAll(const GlobalTensor<int32_t>& gmWorkspace, const LocalTensor<int32_t>& ubWorkspace, const int32_t usedCores = 0, ASCENDC_EMU_LOC) {
    ascendc_emu::enter("SyncAll", loc);
    const uint32_t cores = ascendc_emu::launch().block_dim;
    if (usedCores != 0 && uint32_t(usedCores) != cores) {
        ascendc_emu::fail(loc, "SyncAll", ascendc_emu::cat("usedCores ", usedCores, " differs from the block dim ", cores, "; a partial barrier is not emulated"));
    }
    ascendc_emu::gm_check(gmWorkspace.addr_, uint64_t(cores) * 32, "SyncAll", "the GM workspace (blockNum * 32 bytes) covers", loc);
    ascendc_emu::check_ub<int32_t>(ubWorkspace.v_, uint64_t(cores) * 8, "SyncAll", "ubWorkspace (blockNum * 32 bytes)", loc);
    ascendc_emu::sync_all("SyncAll", loc);
}

template <typename T>
void SetAtomicAdd(ASCENDC_EMU_LOC) {
    ascendc_emu::set_atomic<T, 0>("SetAtomicAdd", loc);
}

template <typename T>
void SetAtomicMax(ASCENDC_EMU_LOC) {
    ascendc_emu::set_atomic<T, 1>("SetAtomicMax", loc);
}

template <typename T>
void SetAtomicMin(ASCENDC_EMU_LOC) {
    ascendc_emu::set_atomic<T, 2>("SetAtomicMin", loc);
}

inline void SetAtomicNone(ASCENDC_EMU_LOC) {
    auto& c = ascendc_emu::enter("SetAtomicNone", loc);
    c.atomic_size = 0;
    c.atomic_type = nullptr;
    c.atomic_add = nullptr;
}

// Scalar GM accesses go straight to memory here; the fence keeps the publish/poll protocols honest.
template <typename T, CacheLine entireType, DcciDst dcciDst>
void DataCacheCleanAndInvalid(const GlobalTensor<T>& dst, ASCENDC_EMU_LOC) {
    ascendc_emu::enter("DataCacheCleanAndInvalid", loc);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    // A GM cache invalidate precedes a poll of memory another agent writes: give that agent the CPU.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
}

template <typename T, CacheLine entireType, DcciDst dcciDst>
void DataCacheCleanAndInvalid(const LocalTensor<T>& dst, ASCENDC_EMU_LOC) {
    ascendc_emu::enter("DataCacheCleanAndInvalid", loc);
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

template <typename T, CacheLine entireType>
void DataCacheCleanAndInvalid(const GlobalTensor<T>& dst, ASCENDC_EMU_LOC) {
    ascendc_emu::enter("DataCacheCleanAndInvalid", loc);
    std::atomic_thread_fence(std::memory_order_seq_cst);
}

inline int64_t GetBlockIdx(ASCENDC_EMU_LOC) { return ascendc_emu::enter("GetBlockIdx", loc).idx; }
inline int64_t GetBlockNum(ASCENDC_EMU_LOC) {
    ascendc_emu::enter("GetBlockNum", loc);
    return ascendc_emu::launch().block_dim;
}
inline int64_t GetSubBlockIdx() { return 0; }
inline int64_t GetTaskRation() { return 1; }
inline int64_t GetSystemCycle() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

// The system workspace comes first in the workspace buffer (16 MiB on dav-c220); the user part follows.
inline GM_ADDR GetUserWorkspace(GM_ADDR workspace) { return workspace == nullptr ? nullptr : workspace + ascendc_emu::kLibApiWorkspace; }
inline void SetSysWorkspace(GM_ADDR workspace, ASCENDC_EMU_LOC) { ascendc_emu::enter("SetSysWorkspace", loc).sys_workspace = workspace; }
inline GM_ADDR GetSysWorkSpacePtr(ASCENDC_EMU_LOC) { return ascendc_emu::enter("GetSysWorkSpacePtr", loc).sys_workspace; }

template <class... Args>
void printf(const char* fmt, Args... args) {
    std::printf(fmt, ascendc_emu::printf_arg(args)...);
}

}  // namespace AscendC
