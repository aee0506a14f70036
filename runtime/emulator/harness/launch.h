// The device half of a launch: allocate GM, run every core on its own thread, stop a hung launch after the
// timeout with a report of where each core was, and check what must hold when a core returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ascendc_emu/kernel/runtime.h"
#include "ascendc_emu/kernel/enums.h"
#include "host_side.h"

extern "C" void ascendc_emu_kernel_entry(uint8_t** args);

namespace harness {

using ascendc_emu::CoreState;
using ascendc_emu::CoreStatus;

struct GmBuffer {
    std::string name;
    uint8_t* data = nullptr;
    uint64_t size = 0;
};

// GM buffers are 512-byte aligned like device allocations and owned here for the whole run.
class Gm {
public:
    ~Gm() {
        for (GmBuffer& b : buffers_) std::free(b.data);
    }
    uint8_t* add(const std::string& name, uint64_t size) {
        uint64_t padded = (size + 511) / 512 * 512 + 512;
        auto* p = static_cast<uint8_t*>(std::aligned_alloc(512, padded));
        if (p == nullptr) host_fail(cat("cannot allocate ", size, " bytes of GM for ", name));
        std::memset(p, 0, padded);
        buffers_.push_back({name, p, size});
        return p;
    }
    void publish(const DeviceMemoryArg& memory) {
        auto& gm = ascendc_emu::launch().gm;
        gm.clear();
        for (const GmBuffer& b : buffers_) gm.push_back({reinterpret_cast<uintptr_t>(b.data), b.size, b.name});
        add_device_regions(memory, gm);
        std::sort(gm.begin(), gm.end(), [](const auto& a, const auto& b) { return a.base < b.base; });
    }

private:
    std::vector<GmBuffer> buffers_;
};

struct Launch {
    Gm gm;
    std::vector<uint8_t*> args;
    std::vector<std::pair<const TensorArg*, uint8_t*>> outputs;  // OpDef output order
};

inline void prepare(const Manifest& m, const HostResult& h, Launch& L) {
    std::vector<std::pair<std::string, uint8_t*>> by_name;
    for (const TensorArg* t : h.inputs) {
        if (!t->present()) {
            L.args.push_back(nullptr);
            continue;
        }
        uint64_t bytes = elements(t->shape) * dtype_info(t->dtype).size;
        uint8_t* p = nullptr;
        if (t->address != 0) {
            p = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(t->address));  // in device memory: used in place
        } else {
            p = L.gm.add(cat(t->role == "inout" ? "in/out" : "input", " '", t->name, "'"), bytes);
            std::vector<uint8_t> data = read_file(m.dir + "/t" + std::to_string(t->index) + ".bin", bytes);
            std::memcpy(p, data.data(), bytes);
        }
        by_name.push_back({t->name, p});
        L.args.push_back(p);
    }
    for (const TensorArg* t : h.outputs) {
        uint8_t* p = nullptr;
        for (auto& [name, ptr] : by_name)
            if (t->role == "inout" && name == t->name) p = ptr;  // an inout tensor is one buffer
        if (p == nullptr && t->address != 0) {
            p = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(t->address));
        } else if (p == nullptr) {
            uint64_t bytes = elements(t->shape) * dtype_info(t->dtype).size;
            p = L.gm.add(cat("output '", t->name, "'"), bytes);
            // SetNeedAtomic asks for zeroed outputs; otherwise they start with the caller's contents.
            if (!h.need_atomic) {
                std::vector<uint8_t> data = read_file(m.dir + "/t" + std::to_string(t->index) + ".bin", bytes);
                std::memcpy(p, data.data(), bytes);
            }
        } else if (h.need_atomic) {
            std::memset(p, 0, elements(t->shape) * dtype_info(t->dtype).size);
        }
        L.outputs.push_back({t, p});
        L.args.push_back(p);
    }
    L.args.push_back(L.gm.add("workspace", h.workspace_bytes));
    uint8_t* tiling = L.gm.add("tiling", h.tiling.size());
    if (!h.tiling.empty()) std::memcpy(tiling, h.tiling.data(), h.tiling.size());
    L.args.push_back(tiling);
    L.gm.publish(m.memory);
}

// What must hold when a core returns: nothing left allocated, every SetFlag waited.
inline void check_core_end(CoreState& c) {
    if (!c.deferred.empty()) throw ascendc_emu::KernelFault(c.deferred);
    for (int e = 0; e < ascendc_emu::kHardEventCount; ++e)
        for (int id = 0; id < ascendc_emu::kEventIds; ++id)
            if (c.events[e][id] > 0) {
                throw ascendc_emu::KernelFault(cat("kernel end: SetFlag<HardEvent::", ascendc_emu::event_name(AscendC::HardEvent(e)), ">(", id,
                                                   ") was never waited (a WaitFlag is missing)"));
            }
    for (int s = 0; s < PIPE_NUM; ++s)
        for (int d = 0; d < PIPE_NUM; ++d)
            for (int id = 0; id < ascendc_emu::kEventIds; ++id)
                if (c.queue_sync[s][d][id] > 0) throw ascendc_emu::KernelFault(cat("kernel end: TQueSync::SetFlag(", id, ") was never waited"));
}

struct Done {
    std::mutex mu;
    std::condition_variable cv;
    uint32_t count = 0;
};

inline void run_core(CoreState* c, uint8_t** args, Done* done) {
    ascendc_emu::tls_core = c;
    c->status.store(int(CoreStatus::Running));
    bool ok = false;
    try {
        ascendc_emu_kernel_entry(args);
        check_core_end(*c);
        ok = true;
    } catch (const ascendc_emu::Aborted&) {
    } catch (const std::exception& e) {
        ascendc_emu::report_error(cat("core ", c->idx, ": ", e.what()));
    }
    c->status.store(int(ok ? CoreStatus::Done : CoreStatus::Failed));
    auto& L = ascendc_emu::launch();
    {
        std::lock_guard<std::mutex> lock(L.bar_mu);
        L.finished += 1;
        L.finished_names += cat(L.finished_names.empty() ? "" : ", ", c->idx);
        L.bar_cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(done->mu);
    done->count += 1;
    done->cv.notify_all();
}

inline std::string where_cores_are() {
    std::string out;
    for (auto& cp : ascendc_emu::launch().cores) {
        CoreState& c = *cp;
        int st = c.status.load();
        const char* state = st == int(CoreStatus::Done) ? "finished" : st == int(CoreStatus::InSyncAll) ? "waits in SyncAll" : st == int(CoreStatus::Failed) ? "failed" : "running";
        out += cat("\n  core ", c.idx, ": ", state);
        const char* api = c.last_api.load();
        if (st != int(CoreStatus::Done) && api != nullptr) out += cat(", last call ", api, " at ", ascendc_emu::base_name(c.last_file.load()), ":", c.last_line.load());
    }
    return out;
}

// Run all cores; returns false after a timeout (the threads are then abandoned: the process must exit).
inline bool run_cores(const Manifest& m, const HostResult& h, Launch& L) {
    auto& S = ascendc_emu::launch();
    S.block_dim = h.block_dim;
    S.core_num = m.core_num;
    S.ub_bytes = m.ub_bytes;
    S.tiling_key = h.tiling_key;
    S.schedule_mode = h.schedule_mode;
    for (uint32_t i = 0; i < h.block_dim; ++i) {
        auto c = std::make_unique<CoreState>();
        c->idx = i;
        c->ub_size = m.ub_bytes;
        c->ub_storage.reset(new uint8_t[m.ub_bytes + 64]);
        c->ub = c->ub_storage.get() + (64 - reinterpret_cast<uintptr_t>(c->ub_storage.get()) % 64) % 64;
        std::memset(c->ub, 0xFF, m.ub_bytes);  // uninitialised UB reads show up as NaN / -1
        S.cores.push_back(std::move(c));
    }
    Done done;
    std::vector<std::thread> threads;
    for (auto& c : S.cores) threads.emplace_back(run_core, c.get(), L.args.data(), &done);
    std::unique_lock<std::mutex> lock(done.mu);
    bool finished = done.cv.wait_for(lock, std::chrono::duration<double>(m.timeout), [&] { return done.count == h.block_dim; });
    lock.unlock();
    if (!finished) {
        for (auto& t : threads) t.detach();
        return false;
    }
    for (auto& t : threads) t.join();
    return true;
}

}  // namespace harness
