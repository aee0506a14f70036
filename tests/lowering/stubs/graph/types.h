// Stub of the ge types a generated op_host file uses (graph/types.h, graph/ge_error_codes.h). Syntax checks only.
#ifndef ASCDSL_STUB_GRAPH_TYPES_H
#define ASCDSL_STUB_GRAPH_TYPES_H
#include <cstddef>
#include <cstdint>

namespace ge {
using graphStatus = uint32_t;
const graphStatus GRAPH_SUCCESS = 0;
const graphStatus GRAPH_FAILED = 0xFFFFFFFF;

// Enumerator values are not the real ones: only the names matter for a syntax check.
enum DataType {
    DT_FLOAT,
    DT_FLOAT16,
    DT_INT8,
    DT_INT32,
    DT_UINT8,
    DT_INT16,
    DT_UINT16,
    DT_UINT32,
    DT_INT64,
    DT_UINT64,
    DT_BOOL,
    DT_BF16,
    DT_FLOAT8_E5M2,
    DT_FLOAT8_E4M3FN,
    DT_HIFLOAT8,
    DT_UNDEFINED,
};

enum Format {
    FORMAT_ND,
    FORMAT_FRACTAL_NZ,
};
}  // namespace ge
#endif
