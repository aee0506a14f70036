// gert::Shape, StorageShape and TypedContinuousVector (metadef exe_graph/runtime).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "../common/fault.h"

namespace gert {

class Shape {
public:
    static constexpr size_t kMaxDimNum = 25;

    Shape() = default;
    Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}

    size_t GetDimNum() const { return dims_.size(); }
    int64_t GetDim(size_t idx) const {
        if (idx >= dims_.size()) ascendc_emu::host_fail(ascendc_emu::cat("Shape::GetDim(", idx, ") on a shape of ", dims_.size(), " dims"));
        return dims_[idx];
    }
    void SetDimNum(size_t num) {
        if (num > kMaxDimNum) ascendc_emu::host_fail(ascendc_emu::cat("Shape::SetDimNum(", num, ") exceeds ", kMaxDimNum, " dims"));
        dims_.resize(num, 0);
    }
    Shape& AppendDim(int64_t value) {
        if (dims_.size() >= kMaxDimNum) ascendc_emu::host_fail("Shape::AppendDim beyond 25 dims");
        dims_.push_back(value);
        return *this;
    }
    Shape& SetDim(size_t idx, int64_t value) {
        if (idx >= dims_.size()) ascendc_emu::host_fail(ascendc_emu::cat("Shape::SetDim(", idx, ") on a shape of ", dims_.size(), " dims"));
        dims_[idx] = value;
        return *this;
    }
    // The element count; a scalar (no dims) has one element.
    int64_t GetShapeSize() const {
        int64_t n = 1;
        for (int64_t d : dims_) n *= d;
        return n;
    }
    bool IsScalar() const { return dims_.empty(); }
    const int64_t& operator[](size_t idx) const { return dims_[idx]; }
    int64_t& operator[](size_t idx) { return dims_[idx]; }
    bool operator==(const Shape& o) const { return dims_ == o.dims_; }
    bool operator!=(const Shape& o) const { return dims_ != o.dims_; }

    const std::vector<int64_t>& dims() const { return dims_; }

private:
    std::vector<int64_t> dims_;
};

class StorageShape {
public:
    StorageShape() = default;
    StorageShape(const Shape& origin, const Shape& storage) : origin_(origin), storage_(storage) {}

    const Shape& GetOriginShape() const { return origin_; }
    const Shape& GetStorageShape() const { return storage_; }
    Shape& MutableOriginShape() { return origin_; }
    Shape& MutableStorageShape() { return storage_; }

private:
    Shape origin_;
    Shape storage_;
};

template <typename T>
class TypedContinuousVector {
public:
    TypedContinuousVector() = default;
    explicit TypedContinuousVector(std::vector<T> v) : data_(std::move(v)) {}
    size_t GetSize() const { return data_.size(); }
    size_t GetCapacity() const { return data_.size(); }
    const T* GetData() const { return data_.data(); }

private:
    std::vector<T> data_;
};

}  // namespace gert
