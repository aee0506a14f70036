// TPipe, TQueBind/TQue and TBuf: UB allocation with the queue discipline of the real library.
//
// TPipe owns every buffer (slots); a queue keeps pointers to its slots and a FIFO of enqueued ones. Each
// buffer has a state (free, allocated, queued, dequeued) so misuse is caught where it happens: an
// AllocTensor with no free buffer, an EnQue beyond the depth, a DeQue of an empty queue, a FreeTensor of a
// foreign or stale tensor, and, when the TPipe goes away, a tensor that was never freed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <exception>
#include <string>

#include "runtime.h"
#include "tensor.h"
#include "ub.h"

namespace ascendc_emu {

struct QueueState {
    BufferSlot* slots = nullptr;          // the first of `num` slots in the TPipe
    const uint64_t* pipe_gen = nullptr;   // the TPipe's generation (Destroy bumps it)
    uint64_t gen = 0;
    int num = 0;
    int cursor = 0;
    std::deque<int> fifo;
};

struct TBufState {
    BufferSlot* slot = nullptr;
    const uint64_t* pipe_gen = nullptr;
    uint64_t gen = 0;
};

template <class T>
AscendC::LocalTensor<T> tensor_of(BufferSlot& slot, AscendC::TPosition pos, uint32_t offset, uint32_t bytes) {
    AscendC::LocalTensor<T> t;
    t.v_.ub = tls_core->ub;
    t.v_.addr = slot.addr + offset;
    t.v_.size = uint32_t(bytes / sizeof(T));
    t.v_.base = slot.addr;
    t.v_.limit = slot.addr + slot.len;
    t.v_.slot = slot.state == SlotState::Fixed ? nullptr : &slot;
    t.v_.gen = slot.gen;
    t.v_.pos = pos;
    return t;
}

inline std::string loc_text(const Loc& loc) { return loc.file ? cat(base_name(loc.file), ":", loc.line) : std::string("?"); }

}  // namespace ascendc_emu

namespace AscendC {

template <TPosition src, TPosition dst, int32_t depth, auto mask = 0>
class TQueBind {
public:
    static constexpr bool isTQue = true;

    template <class T>
    LocalTensor<T> AllocTensor(ASCENDC_EMU_LOC) {
        ascendc_emu::enter("AllocTensor", loc);
        check_ready("AllocTensor", loc);
        for (int k = 0; k < q_.num; ++k) {
            int i = (q_.cursor + k) % q_.num;
            ascendc_emu::BufferSlot& s = q_.slots[i];
            if (s.state != ascendc_emu::SlotState::Free) continue;
            s.state = ascendc_emu::SlotState::Allocated;
            s.gen += 1;
            s.alloc_loc = loc;
            q_.cursor = (i + 1) % q_.num;
            return ascendc_emu::tensor_of<T>(s, dst, 0, s.len);
        }
        ascendc_emu::fail(loc, "AllocTensor",
                          ascendc_emu::cat("all ", q_.num, " buffers of ", name(), " are allocated (buffer 0 by AllocTensor at ",
                                           ascendc_emu::loc_text(q_.slots[0].alloc_loc),
                                           "); free one with FreeTensor first, or InitBuffer more buffers"));
    }

    template <class T>
    bool EnQue(const LocalTensor<T>& tensor, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("EnQue", loc);
        check_ready("EnQue", loc);
        int i = own_slot(tensor.v_, "EnQue", loc);
        ascendc_emu::BufferSlot& s = q_.slots[i];
        if (s.state == ascendc_emu::SlotState::Queued) ascendc_emu::fail(loc, "EnQue", ascendc_emu::cat(s.desc, " is already in the queue"));
        if (depth > 0 && int(q_.fifo.size()) >= depth) {
            ascendc_emu::fail(loc, "EnQue", ascendc_emu::cat(name(), " already holds ", q_.fifo.size(), " tensors, its depth is ", depth,
                                                           " (DeQue before the next EnQue, or raise the depth)"));
        }
        s.state = ascendc_emu::SlotState::Queued;
        q_.fifo.push_back(i);
        return true;
    }

    template <class T>
    LocalTensor<T> DeQue(ASCENDC_EMU_LOC) {
        ascendc_emu::enter("DeQue", loc);
        check_ready("DeQue", loc);
        if (q_.fifo.empty()) {
            ascendc_emu::fail(loc, "DeQue", ascendc_emu::cat(name(), " is empty: DeQue without a matching EnQue (on the device this waits forever)"));
        }
        int i = q_.fifo.front();
        q_.fifo.pop_front();
        ascendc_emu::BufferSlot& s = q_.slots[i];
        s.state = ascendc_emu::SlotState::Dequeued;
        return ascendc_emu::tensor_of<T>(s, dst, 0, s.len);
    }

    template <class T>
    void FreeTensor(LocalTensor<T>& tensor, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("FreeTensor", loc);
        check_ready("FreeTensor", loc);
        int i = own_slot(tensor.v_, "FreeTensor", loc);
        ascendc_emu::BufferSlot& s = q_.slots[i];
        if (s.state == ascendc_emu::SlotState::Queued) {
            ascendc_emu::fail(loc, "FreeTensor", ascendc_emu::cat(s.desc, " is still in the queue (DeQue it before FreeTensor)"));
        }
        s.state = ascendc_emu::SlotState::Free;
    }

    bool VacantInQue() const { return depth <= 0 || int(q_.fifo.size()) < depth; }
    bool HasTensorInQue() const { return !q_.fifo.empty(); }
    int32_t GetTensorCountInQue() const { return int32_t(q_.fifo.size()); }
    bool HasIdleBuffer() const {
        for (int i = 0; i < q_.num; ++i)
            if (q_.slots[i].state == ascendc_emu::SlotState::Free) return true;
        return false;
    }

    static std::string name() {
        if constexpr (src == dst) return ascendc_emu::cat("TQue<", ascendc_emu::position_name(src), ", depth ", depth, ">");
        else return ascendc_emu::cat("TQueBind<", ascendc_emu::position_name(src), ", ", ascendc_emu::position_name(dst), ", depth ", depth, ">");
    }

    // Emulator state.
    ascendc_emu::QueueState q_;

private:
    void check_ready(const char* api, const ascendc_emu::Loc& loc) const {
        if (q_.slots == nullptr) ascendc_emu::fail(loc, api, ascendc_emu::cat(name(), " has no buffers: call TPipe::InitBuffer on it first"));
        if (*q_.pipe_gen != q_.gen) ascendc_emu::fail(loc, api, ascendc_emu::cat(name(), " is used after TPipe::Destroy()"));
    }

    int own_slot(const ascendc_emu::UbView& v, const char* api, const ascendc_emu::Loc& loc) const {
        if (v.ub == nullptr) ascendc_emu::fail(loc, api, "the LocalTensor was never allocated");
        for (int i = 0; i < q_.num; ++i) {
            if (&q_.slots[i] != v.slot) continue;
            if (v.slot->gen != v.gen || v.slot->state == ascendc_emu::SlotState::Free) {
                ascendc_emu::fail(loc, api, ascendc_emu::cat(v.slot->desc, " was already freed (a stale LocalTensor copy, or FreeTensor twice)"));
            }
            return i;
        }
        std::string what = v.slot ? v.slot->desc : std::string("a TBuf tensor");
        ascendc_emu::fail(loc, api, ascendc_emu::cat("the tensor is ", what, ", not a buffer of this ", name()));
    }
};

template <TPosition pos, int32_t depth, auto mask = 0>
class TQue : public TQueBind<pos, pos, depth, mask> {};

template <TPosition pos = TPosition::LCM>
class TBuf {
public:
    static constexpr bool isTQue = false;

    template <class T>
    LocalTensor<T> Get(ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TBuf::Get", loc);
        check_ready("TBuf::Get", loc);
        return ascendc_emu::tensor_of<T>(*b_.slot, pos, 0, b_.slot->len);
    }

    template <class T>
    LocalTensor<T> Get(uint32_t len, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TBuf::Get", loc);
        check_ready("TBuf::Get", loc);
        if (uint64_t(len) * sizeof(T) > b_.slot->len) {
            ascendc_emu::fail(loc, "TBuf::Get", ascendc_emu::cat(len, " elements of ", ascendc_emu::type_name<T>(), " exceed the ", b_.slot->len, " bytes of the TBuf"));
        }
        return ascendc_emu::tensor_of<T>(*b_.slot, pos, 0, uint32_t(len * sizeof(T)));
    }

    template <class T>
    LocalTensor<T> GetWithOffset(uint32_t size, uint32_t bufOffset, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TBuf::GetWithOffset", loc);
        check_ready("TBuf::GetWithOffset", loc);
        if (uint64_t(bufOffset) + uint64_t(size) * sizeof(T) > b_.slot->len) {
            ascendc_emu::fail(loc, "TBuf::GetWithOffset", ascendc_emu::cat("offset ", bufOffset, " + ", size, " elements of ", ascendc_emu::type_name<T>(),
                                                                         " exceed the ", b_.slot->len, " bytes of the TBuf"));
        }
        return ascendc_emu::tensor_of<T>(*b_.slot, pos, bufOffset, uint32_t(size * sizeof(T)));
    }

    // Emulator state.
    ascendc_emu::TBufState b_;

private:
    void check_ready(const char* api, const ascendc_emu::Loc& loc) const {
        if (b_.slot == nullptr) ascendc_emu::fail(loc, api, "the TBuf has no buffer: call TPipe::InitBuffer on it first");
        if (*b_.pipe_gen != b_.gen) ascendc_emu::fail(loc, api, "the TBuf is used after TPipe::Destroy()");
    }
};

class TPipe {
public:
    TPipe(ASCENDC_EMU_LOC) {
        auto& c = ascendc_emu::enter("TPipe::TPipe", loc);
        if (c.pipe != nullptr) {
            ascendc_emu::fail(loc, "TPipe", "another TPipe is alive on this core and their UB buffers would overlap; Destroy() it first");
        }
        core_ = &c;
        c.pipe = this;
    }

    ~TPipe() {
        if (core_ == nullptr || core_->pipe != this) return;
        core_->pipe = nullptr;
        // During unwinding from another error, or after Destroy(), there is nothing to report.
        if (std::uncaught_exceptions() > 0 || !core_->deferred.empty()) return;
        std::string leak = leaked();
        if (!leak.empty()) core_->deferred = ascendc_emu::cat("kernel end: ", leak);
    }

    TPipe(const TPipe&) = delete;
    TPipe& operator=(const TPipe&) = delete;

    void Init() {}

    template <class T>
    bool InitBuffer(T& que, uint8_t num, uint32_t len, ASCENDC_EMU_LOC) {
        static_assert(T::isTQue, "TPipe::InitBuffer(que, num, len) takes a TQue or TQueBind; a TBuf takes InitBuffer(buf, len)");
        ascendc_emu::enter("TPipe::InitBuffer", loc);
        if (que.q_.slots != nullptr && que.q_.pipe_gen == &gen_ && que.q_.gen == gen_) {
            ascendc_emu::fail(loc, "TPipe::InitBuffer", ascendc_emu::cat(T::name(), " already has buffers"));
        }
        if (num == 0) ascendc_emu::fail(loc, "TPipe::InitBuffer", ascendc_emu::cat(T::name(), ": num must be at least 1"));
        int first = allocate(T::name(), num, len, loc);
        que.q_ = ascendc_emu::QueueState{};
        que.q_.slots = &slots_[first];
        que.q_.pipe_gen = &gen_;
        que.q_.gen = gen_;
        que.q_.num = num;
        for (int i = 0; i < num; ++i) {
            slots_[first + i].owner = &que.q_;
            slots_[first + i].desc = ascendc_emu::cat("buffer ", i, " of ", T::name(), " (InitBuffer at ", ascendc_emu::loc_text(loc), ")");
        }
        return true;
    }

    template <TPosition pos>
    bool InitBuffer(TBuf<pos>& buf, uint32_t len, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TPipe::InitBuffer", loc);
        if (buf.b_.slot != nullptr && buf.b_.pipe_gen == &gen_ && buf.b_.gen == gen_) {
            ascendc_emu::fail(loc, "TPipe::InitBuffer", "this TBuf already has a buffer");
        }
        std::string name = ascendc_emu::cat("TBuf<", ascendc_emu::position_name(pos), ">");
        int i = allocate(name, 1, len, loc);
        slots_[i].state = ascendc_emu::SlotState::Fixed;
        slots_[i].desc = ascendc_emu::cat(name, " (InitBuffer at ", ascendc_emu::loc_text(loc), ")");
        buf.b_.slot = &slots_[i];
        buf.b_.pipe_gen = &gen_;
        buf.b_.gen = gen_;
        return true;
    }

    void Destroy(ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TPipe::Destroy", loc);
        std::string leak = leaked();
        if (!leak.empty()) ascendc_emu::fail(loc, "TPipe::Destroy", leak);
        count_ = 0;
        used_ = 0;
        gen_ += 1;
        if (core_ != nullptr && core_->pipe == this) core_->pipe = nullptr;
    }

    template <HardEvent evt>
    TEventID AllocEventID(ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TPipe::AllocEventID", loc);
        int id = free_event(evt, "TPipe::AllocEventID", loc);
        events_[int(evt)] |= uint8_t(1u << id);
        return TEventID(id);
    }

    template <HardEvent evt>
    void ReleaseEventID(TEventID id, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TPipe::ReleaseEventID", loc);
        if (id < 0 || id >= ascendc_emu::kEventIds || !(events_[int(evt)] & (1u << id))) {
            ascendc_emu::fail(loc, "TPipe::ReleaseEventID", ascendc_emu::cat("event id ", int(id), " of HardEvent::", ascendc_emu::event_name(evt), " was not allocated"));
        }
        events_[int(evt)] &= uint8_t(~(1u << id));
    }

    TEventID FetchEventID(HardEvent evt, ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TPipe::FetchEventID", loc);
        return TEventID(free_event(evt, "TPipe::FetchEventID", loc));
    }

    template <HardEvent evt>
    TEventID FetchEventID(ASCENDC_EMU_LOC) {
        ascendc_emu::enter("TPipe::FetchEventID", loc);
        return TEventID(free_event(evt, "TPipe::FetchEventID", loc));
    }

private:
    int allocate(const std::string& name, int num, uint32_t len, const ascendc_emu::Loc& loc) {
        ascendc_emu::CoreState& c = *core_;
        if (c.pipe == nullptr) c.pipe = this;  // InitBuffer after Destroy() reuses the pipe
        if (c.pipe != this) {
            ascendc_emu::fail(loc, "TPipe::InitBuffer", "another TPipe is alive on this core and their UB buffers would overlap; Destroy() it first");
        }
        if (count_ + num > ascendc_emu::kMaxBuffers) {
            ascendc_emu::fail(loc, "TPipe::InitBuffer", ascendc_emu::cat(name, ": ", count_, " + ", num, " buffers exceed the limit of ",
                                                                       ascendc_emu::kMaxBuffers, " buffers per TPipe"));
        }
        if (len == 0) ascendc_emu::fail(loc, "TPipe::InitBuffer", ascendc_emu::cat(name, ": len must be at least 1 byte"));
        uint64_t each = ascendc_emu::align32(len);
        uint64_t total = uint64_t(used_) + each * num;
        if (total > c.ub_size) {
            ascendc_emu::fail(loc, "TPipe::InitBuffer",
                              ascendc_emu::cat("UB overflow: ", name, " with num ", num, ", len ", len, " needs ", each * num, " bytes; ", used_,
                                               " bytes are already allocated, so the total ", total, " exceeds the UB size of ", c.ub_size, " bytes"));
        }
        int first = count_;
        for (int i = 0; i < num; ++i) {
            ascendc_emu::BufferSlot& s = slots_[count_++];
            s = ascendc_emu::BufferSlot{};
            s.addr = used_;
            s.len = uint32_t(each);
            used_ += uint32_t(each);
        }
        c.counters.ub_bytes = std::max<uint64_t>(c.counters.ub_bytes, used_);
        return first;
    }

    std::string leaked() const {
        for (int i = 0; i < count_; ++i) {
            const ascendc_emu::BufferSlot& s = slots_[i];
            if (s.state == ascendc_emu::SlotState::Allocated || s.state == ascendc_emu::SlotState::Dequeued) {
                return ascendc_emu::cat(s.desc, " is still allocated (AllocTensor at ", ascendc_emu::loc_text(s.alloc_loc), " has no FreeTensor)");
            }
            if (s.state == ascendc_emu::SlotState::Queued) {
                return ascendc_emu::cat(s.desc, " is still in its queue (EnQue without DeQue; AllocTensor at ", ascendc_emu::loc_text(s.alloc_loc), ")");
            }
        }
        return {};
    }

    int free_event(HardEvent evt, const char* api, const ascendc_emu::Loc& loc) const {
        for (int id = 0; id < ascendc_emu::kEventIds; ++id)
            if (!(events_[int(evt)] & (1u << id))) return id;
        ascendc_emu::fail(loc, api, ascendc_emu::cat("all ", ascendc_emu::kEventIds, " event ids of HardEvent::", ascendc_emu::event_name(evt), " are allocated"));
    }

    ascendc_emu::CoreState* core_ = nullptr;
    ascendc_emu::BufferSlot slots_[ascendc_emu::kMaxBuffers];
    int count_ = 0;
    uint32_t used_ = 0;
    uint64_t gen_ = 1;
    uint8_t events_[ascendc_emu::kHardEventCount] = {};
};

inline TPipe* GetTPipePtr() { return static_cast<TPipe*>(ascendc_emu::tls_core ? ascendc_emu::tls_core->pipe : nullptr); }

}  // namespace AscendC
