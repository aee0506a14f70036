// The run description the Python driver writes: op, target, tensors (with their data files) and attributes.
//
// One item per line, fields separated by spaces:
//   op <OpType> | soc <name> | core_num <n> | ub_bytes <n> | timeout <seconds>
//   tensor <in|out|inout> <name> <dtype|none> <ndim> <dims...>      (data in t<index>.bin)
//   attr <name> <int|bool|float|str|list_int|list_float> <value...>  (str: hex bytes, "-" when empty)
//   memory <path> <base> <size> | region <address> <bytes>        (device_memory.h)
// A tensor line may end with `at <address>`: the tensor lives in device memory there (no data file).
//   comm <rank> <world size> <data window bytes> <state window bytes> <hex of the window directory>
//        (a communication domain: the windows are <dir>/data<r>.bin and <dir>/state<r>.bin, see comm.h)
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ascendc_emu/common/fault.h"
#include "device_memory.h"

namespace harness {

struct TensorArg {
    std::string role;  // in, out, inout
    std::string name;
    std::string dtype;  // DSL name (f16, f32, ...) or "none" for an absent optional input
    std::vector<int64_t> shape;
    size_t index = 0;  // position in the manifest: data file t<index>.bin, result out<index>.bin
    uint64_t address = 0;  // non-zero: the tensor is in device memory at this address
    bool present() const { return dtype != "none"; }
    bool is_input() const { return role == "in" || role == "inout"; }
    bool is_output() const { return role == "out" || role == "inout"; }
};

struct AttrArg {
    std::string name;
    std::string type;
    std::vector<std::string> values;
};

struct CommArg {
    bool present = false;
    uint32_t rank = 0;
    uint32_t world = 0;
    uint64_t data_bytes = 0;
    uint64_t state_bytes = 0;
    std::string dir;
};

struct Manifest {
    std::string dir;
    std::string op;
    std::string soc = "ascend910b";
    uint32_t core_num = 40;
    uint32_t ub_bytes = 196352;
    double timeout = 60.0;
    std::vector<TensorArg> tensors;
    std::vector<AttrArg> attrs;
    DeviceMemoryArg memory;
    CommArg comm;
};

inline std::string unhex(const std::string& h) {
    if (h == "-") return {};
    std::string out;
    for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(char(std::stoi(h.substr(i, 2), nullptr, 16)));
    return out;
}

inline Manifest read_manifest(const std::string& dir) {
    Manifest m;
    m.dir = dir;
    std::ifstream in(dir + "/manifest.txt");
    if (!in) ascendc_emu::host_fail("cannot read " + dir + "/manifest.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string key;
        if (!(f >> key)) continue;
        if (key == "op") f >> m.op;
        else if (key == "soc") f >> m.soc;
        else if (key == "core_num") f >> m.core_num;
        else if (key == "ub_bytes") f >> m.ub_bytes;
        else if (key == "timeout") f >> m.timeout;
        else if (key == "tensor") {
            TensorArg t;
            size_t ndim = 0;
            f >> t.role >> t.name >> t.dtype >> ndim;
            t.shape.resize(ndim);
            for (auto& d : t.shape) f >> d;
            std::string at;
            if (f >> at && at == "at") f >> t.address;
            t.index = m.tensors.size();
            m.tensors.push_back(t);
        } else if (key == "attr") {
            AttrArg a;
            f >> a.name >> a.type;
            std::string v;
            while (f >> v) a.values.push_back(v);
            m.attrs.push_back(a);
        } else if (key == "memory") {
            f >> m.memory.path >> m.memory.base >> m.memory.size;
        } else if (key == "region") {
            uint64_t addr = 0, bytes = 0;
            f >> addr >> bytes;
            m.memory.regions.push_back({addr, bytes});
        } else if (key == "comm") {
            std::string dir;
            f >> m.comm.rank >> m.comm.world >> m.comm.data_bytes >> m.comm.state_bytes >> dir;
            m.comm.dir = unhex(dir);
            m.comm.present = true;
        } else {
            ascendc_emu::host_fail("manifest: unknown line '" + line + "'");
        }
    }
    return m;
}

}  // namespace harness
