// State of one kernel launch (shared by all cores) and of each core (thread-local).
//
// Each emulated AIV core runs on its own thread; `tls_core` points at its CoreState, so GetBlockIdx and the
// per-core counters need no arguments. Globals are C++17 inline variables: the kernel and harness
// translation units share one instance.
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

#include "../common/fault.h"
#include "enums.h"

namespace ascendc_emu {

constexpr uint64_t kLibApiWorkspace = 16ull * 1024 * 1024;  // RESERVED_WORKSPACE on dav-c220
constexpr int kEventIds = 8;                                // event ids 0..7 on A2/A3
constexpr int kMaxBuffers = 64;                             // InitBuffer limit per TPipe

// A GM allocation known to the harness; every GM access must fall inside one.
struct GmRegion {
    uintptr_t base;
    uint64_t size;
    std::string name;
};

struct Counters {
    uint64_t gm_read = 0;    // bytes moved GM -> UB, plus scalar GM reads
    uint64_t gm_write = 0;   // bytes moved UB -> GM, plus scalar GM writes
    uint64_t dma_ops = 0;    // GM <-> UB transfers (one per DataCopy/DataCopyPad call)
    uint64_t dma_in = 0;     // of those, GM -> UB
    uint64_t ub_copies = 0;  // UB -> UB DataCopy calls
    uint64_t vector_ops = 0;
    uint64_t scalar_gm = 0;  // GlobalTensor GetValue/SetValue calls
    uint64_t scalar_gm_read = 0;  // of those, GetValue
    uint64_t ub_bytes = 0;   // high-water mark of InitBuffer allocations
    uint64_t tiling_read = 0;
    std::map<uint64_t, uint64_t> dma_sizes;  // bytes of one transfer -> number of transfers
};

enum class CoreStatus : int { Idle, Running, InSyncAll, Done, Failed };

struct CoreState {
    uint32_t idx = 0;
    uint32_t ub_size = 0;
    std::unique_ptr<uint8_t[]> ub_storage;
    uint8_t* ub = nullptr;  // 64-byte aligned start of this core's UB
    Counters counters;
    int events[kHardEventCount][kEventIds] = {};  // SetFlag count minus WaitFlag count
    int queue_sync[PIPE_NUM][PIPE_NUM][kEventIds] = {};
    // SetAtomicAdd state: element size and type name, and the element add routine.
    size_t atomic_size = 0;
    const char* atomic_type = nullptr;
    void (*atomic_add)(uint8_t* dst, const uint8_t* src, size_t count) = nullptr;
    int syncall_count = 0;
    void* pipe = nullptr;  // the live TPipe (GetTPipePtr)
    uint8_t* sys_workspace = nullptr;
    std::string deferred;  // an error found where throwing is impossible (destructors)
    std::atomic<int> status{int(CoreStatus::Idle)};
    std::atomic<const char*> last_api{nullptr};
    std::atomic<const char*> last_file{nullptr};
    std::atomic<int> last_line{0};
};

struct LaunchState {
    uint32_t block_dim = 1;
    uint32_t core_num = 40;
    uint32_t ub_bytes = 196352;
    uint64_t tiling_key = 0;
    uint32_t schedule_mode = 0;
    std::vector<GmRegion> gm;  // sorted by base
    std::atomic<bool> abort{false};
    std::mutex error_mu;
    std::string error;
    // SyncAll barrier.
    std::mutex bar_mu;
    std::condition_variable bar_cv;
    uint32_t bar_waiting = 0;
    uint64_t bar_gen = 0;
    uint32_t finished = 0;
    std::string finished_names;
    // Atomic accumulation into GM (SetAtomicAdd) is serialised across cores.
    std::mutex atomic_mu;
    std::vector<std::unique_ptr<CoreState>> cores;
};

inline LaunchState& launch() {
    static LaunchState state;
    return state;
}

inline thread_local CoreState* tls_core = nullptr;

// Every API entry point calls this: it finds the core, stops the thread when another core failed, and
// remembers the call for the hang and crash reports.
inline CoreState& enter(const char* api, const Loc& loc) {
    CoreState* c = tls_core;
    if (c == nullptr) throw KernelFault(cat(base_name(loc.file), ":", loc.line, ": ", api, " called outside a kernel launch"));
    if (launch().abort.load(std::memory_order_relaxed)) throw Aborted{};
    c->last_api.store(api, std::memory_order_relaxed);
    c->last_file.store(loc.file, std::memory_order_relaxed);
    c->last_line.store(loc.line, std::memory_order_relaxed);
    return *c;
}

// Record the first error of the launch and make the other cores stop.
inline void report_error(const std::string& msg) {
    LaunchState& L = launch();
    {
        std::lock_guard<std::mutex> lock(L.error_mu);
        if (L.error.empty()) L.error = msg;
    }
    L.abort.store(true);
    std::lock_guard<std::mutex> lock(L.bar_mu);
    L.bar_cv.notify_all();
}

inline std::string hex(uint64_t v) { return cat("0x", std::hex, v); }

// Slow path of gm_check: which region is nearest, and by how much the access misses it.
[[noreturn]] inline void gm_miss(const void* ptr, uint64_t bytes, const char* api, const std::string& what, const Loc& loc) {
    const auto& gm = launch().gm;
    uintptr_t addr = reinterpret_cast<uintptr_t>(ptr);
    auto it = std::upper_bound(gm.begin(), gm.end(), addr, [](uintptr_t a, const GmRegion& r) { return a < r.base; });
    if (it != gm.begin()) {
        const GmRegion& r = *(it - 1);
        uint64_t off = addr - r.base;
        if (off <= r.size + 64ull * 1024 * 1024) {
            fail(loc, api, cat(what, " bytes [", off, ", ", off + bytes, ") of ", r.name, ", which has ", r.size, " bytes: ", off + bytes - r.size,
                               " bytes past its end"));
        }
    }
    if (ptr == nullptr) fail(loc, api, cat(what, " ", bytes, " bytes at a null GM address (an absent optional tensor?)"));
    if (it != gm.end()) {
        fail(loc, api, cat(what, " ", bytes, " bytes at GM address ", hex(addr), ", ", it->base - addr, " bytes before ", it->name,
                           " (outside every GM buffer)"));
    }
    fail(loc, api, cat(what, " ", bytes, " bytes at GM address ", hex(addr), ", outside every GM buffer"));
}

// The GM region that holds [addr, addr + bytes); otherwise an error naming the nearest region. `what` says
// what the access does ("reads", "element 5 writes") and is only called on failure.
template <class What>
const GmRegion& gm_check(const void* ptr, uint64_t bytes, const char* api, What&& what, const Loc& loc) {
    const auto& gm = launch().gm;
    uintptr_t addr = reinterpret_cast<uintptr_t>(ptr);
    auto it = std::upper_bound(gm.begin(), gm.end(), addr, [](uintptr_t a, const GmRegion& r) { return a < r.base; });
    if (it != gm.begin()) {
        const GmRegion& r = *(it - 1);
        uint64_t off = addr - r.base;
        if (off <= r.size && bytes <= r.size - off) return r;
    }
    if constexpr (std::is_invocable_v<What>) gm_miss(ptr, bytes, api, what(), loc);
    else gm_miss(ptr, bytes, api, std::string(what), loc);
}

inline void count_dma(CoreState& c, uint64_t bytes, bool to_gm) {
    (to_gm ? c.counters.gm_write : c.counters.gm_read) += bytes;
    c.counters.dma_ops += 1;
    if (!to_gm) c.counters.dma_in += 1;
    c.counters.dma_sizes[bytes] += 1;
}

inline uint32_t align32(uint64_t n) { return uint32_t((n + 31) / 32 * 32); }

}  // namespace ascendc_emu
