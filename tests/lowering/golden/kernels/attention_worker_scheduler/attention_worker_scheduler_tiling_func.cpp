// Bytes of one element of a tensor's dtype.
static int64_t DTypeBytes(ge::DataType dt)
{
    switch (dt) {
        case ge::DT_INT8: case ge::DT_UINT8: case ge::DT_BOOL:
        case ge::DT_FLOAT8_E5M2: case ge::DT_FLOAT8_E4M3FN:
            return 1;
        case ge::DT_FLOAT16: case ge::DT_BF16: case ge::DT_INT16: case ge::DT_UINT16:
            return 2;
        case ge::DT_FLOAT: case ge::DT_INT32: case ge::DT_UINT32:
            return 4;
        default:
            return 8;
    }
}

// String attribute comparison without the C library (the file is included inside a namespace).
static bool SameText(const char* a, const char* b)
{
    while (*a != '\0' && *a == *b) {
        ++a;
        ++b;
    }
    return *a == *b;
}

// Python's floor division, as the DSL defines `//`.
static int64_t FloorDiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    auto* tiling = context->GetTilingData<AttentionWorkerSchedulerTilingData>();
    auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    const gert::RuntimeAttrs* attrs = context->GetAttrs();
    (void)attrs;
    int64_t N = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(0));
    bool v = (N > 0);
    if (!v) {
        // aclnn status 161002: "schedule_context must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_2 = (N == 1024);
    if (!v_2) {
        // aclnn status 161002: "schedule_context must have exactly 1024 bytes (shape [1024])"
        return ge::GRAPH_FAILED;
    }
    int64_t v_3 = static_cast<int64_t>(platform.GetCoreNumAiv());
    int64_t v_4 = (1 < v_3 ? 1 : v_3);
    context->SetBlockDim(static_cast<uint32_t>(v_4));
    int64_t v_5 = (8 > 1 ? 8 : 1);
    int64_t v_6 = FloorDiv(32, 4);
    int64_t v_7 = (v_5 * v_6);
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    int64_t v_8 = static_cast<int64_t>(ubSize < 188416 ? ubSize : 188416);
    int64_t v_9 = (v_8 - 16672);
    int64_t v_10 = (v_9 - v_7);
    int64_t v_11 = (0 > v_10 ? 0 : v_10);
    int64_t v_12 = (v_7 + v_11);
    int64_t v_13 = FloorDiv(v_12, v_5);
    int64_t v_14 = FloorDiv(v_13, v_6);
    int64_t v_15 = (v_14 * v_6);
    int64_t v_16 = (v_6 > v_15 ? v_6 : v_15);
    tiling->chunk0 = v_16;
    tiling->countIn_count = 2048;
    tiling->countF_count = 2048;
    tiling->countTmp_count = 64;
    tiling->countSum_count = 8;
    tiling->schedule_context_numel = N;
    context->SetTilingKey(1);
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}
