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
    auto* tiling = context->GetTilingData<NsaCompressWithCacheTilingData>();
    auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    const gert::RuntimeAttrs* attrs = context->GetAttrs();
    (void)attrs;
    const char* layout = attrs->GetStr(0);
    int64_t compress_block_size = *attrs->GetInt(1);
    int64_t compress_stride = *attrs->GetInt(2);
    int64_t act_seq_len_type = *attrs->GetInt(3);
    int64_t page_block_size = *attrs->GetInt(4);
    int64_t NB = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(0));
    int64_t PBS = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(1));
    int64_t N = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(2));
    int64_t D = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(3));
    int64_t CBS = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(0));
    int64_t NW = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(1));
    int64_t B = static_cast<int64_t>(context->GetInputShape(2)->GetStorageShape().GetDim(0));
    int64_t S = static_cast<int64_t>(context->GetInputShape(3)->GetStorageShape().GetDim(0));
    int64_t NO = static_cast<int64_t>(context->GetInputShape(3)->GetStorageShape().GetDim(1));
    int64_t DO = static_cast<int64_t>(context->GetInputShape(3)->GetStorageShape().GetDim(2));
    int64_t BL = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(0));
    int64_t BT = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(0));
    bool v = [&]() { ge::DataType dt = context->GetInputDesc(0)->GetDataType(); return dt == ge::DT_FLOAT16 || dt == ge::DT_BF16; }();
    if (!v) {
        // aclnn status 161002: "input, weight and output_cache must be FLOAT16 or BFLOAT16"
        return ge::GRAPH_FAILED;
    }
    bool v_2 = (NB > 0);
    bool v_3 = (PBS > 0);
    bool v_4 = (v_2 && v_3);
    bool v_5 = (N > 0);
    bool v_6 = (v_4 && v_5);
    bool v_7 = (D > 0);
    bool v_8 = (v_6 && v_7);
    if (!v_8) {
        // aclnn status 161002: "input must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_9 = (CBS > 0);
    bool v_10 = (NW > 0);
    bool v_11 = (v_9 && v_10);
    if (!v_11) {
        // aclnn status 161002: "weight must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_12 = (S > 0);
    bool v_13 = (NO > 0);
    bool v_14 = (v_12 && v_13);
    bool v_15 = (DO > 0);
    bool v_16 = (v_14 && v_15);
    if (!v_16) {
        // aclnn status 161002: "output_cache must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_17 = (NW == N);
    if (!v_17) {
        // aclnn status 561002: "weight.shape[1] must equal the head count N = input.shape[2]"
        return ge::GRAPH_FAILED;
    }
    bool v_18 = (compress_block_size > 0);
    bool v_19 = false;
    if (v_18) {
        int64_t v_20 = FloorDiv(compress_block_size, 16);
        int64_t v_21 = (v_20 * 16);
        int64_t v_22 = (compress_block_size - v_21);
        bool v_23 = (v_22 == 0);
        v_19 = v_23;
    } else {
        v_19 = false;
    }
    if (!v_19) {
        // aclnn status 561002: "compress_block_size must be a positive multiple of 16"
        return ge::GRAPH_FAILED;
    }
    bool v_24 = (compress_stride > 0);
    bool v_25 = false;
    if (v_24) {
        int64_t v_26 = FloorDiv(compress_stride, 16);
        int64_t v_27 = (v_26 * 16);
        int64_t v_28 = (compress_stride - v_27);
        bool v_29 = (v_28 == 0);
        v_25 = v_29;
    } else {
        v_25 = false;
    }
    if (!v_25) {
        // aclnn status 561002: "compress_stride must be a positive multiple of 16"
        return ge::GRAPH_FAILED;
    }
    bool v_30 = (compress_block_size >= compress_stride);
    if (!v_30) {
        // aclnn status 561002: "compress_block_size must be at least compress_stride"
        return ge::GRAPH_FAILED;
    }
    bool v_31 = (compress_block_size <= 64);
    if (!v_31) {
        // aclnn status 561002: "compress_block_size must be at most 64"
        return ge::GRAPH_FAILED;
    }
    bool v_32 = (act_seq_len_type == 1);
    if (!v_32) {
        // aclnn status 561002: "act_seq_len_type must be 1 (per-batch lengths)"
        return ge::GRAPH_FAILED;
    }
    bool v_33 = (layout != nullptr && (SameText(layout, "BSH") || SameText(layout, "SBH") || SameText(layout, "BSND") || SameText(layout, "BNSD") || SameText(layout, "TND")));
    if (!v_33) {
        // aclnn status 561002: "layout must be one of BSH, SBH, BSND, BNSD, TND"
        return ge::GRAPH_FAILED;
    }
    bool v_34 = (page_block_size == 64);
    bool v_35 = (page_block_size == 128);
    bool v_36 = (v_34 || v_35);
    if (!v_36) {
        // aclnn status 561002: "page_block_size must be 64 or 128"
        return ge::GRAPH_FAILED;
    }
    int64_t v_37 = FloorDiv(D, 16);
    int64_t v_38 = (v_37 * 16);
    int64_t v_39 = (D - v_38);
    bool v_40 = (v_39 == 0);
    if (!v_40) {
        // aclnn status 561002: "the head dim D = input.shape[3] must be a multiple of 16"
        return ge::GRAPH_FAILED;
    }
    bool v_41 = (D <= 256);
    if (!v_41) {
        // aclnn status 561002: "the head dim D = input.shape[3] must be at most 256"
        return ge::GRAPH_FAILED;
    }
    bool v_42 = (N <= 64);
    if (!v_42) {
        // aclnn status 561002: "the head count N = input.shape[2] must be at most 64"
        return ge::GRAPH_FAILED;
    }
    bool v_43 = (N <= 50);
    bool v_44 = false;
    if (v_43) {
        v_44 = true;
    } else {
        int64_t v_45 = FloorDiv(N, 2);
        int64_t v_46 = (v_45 * 2);
        int64_t v_47 = (N - v_46);
        bool v_48 = (v_47 == 0);
        v_44 = v_48;
    }
    if (!v_44) {
        // aclnn status 561002: "the head count N = input.shape[2] must be even when above 50"
        return ge::GRAPH_FAILED;
    }
    bool v_49 = (compress_block_size == CBS);
    if (!v_49) {
        // aclnn status 561002: "weight.shape[0] must equal compress_block_size"
        return ge::GRAPH_FAILED;
    }
    bool v_50 = (page_block_size == PBS);
    if (!v_50) {
        // aclnn status 561002: "input.shape[1] must equal page_block_size"
        return ge::GRAPH_FAILED;
    }
    bool v_51 = (NO == N);
    bool v_52 = (DO == D);
    bool v_53 = (v_51 && v_52);
    if (!v_53) {
        // aclnn status 561002: "output_cache.shape[1:] must equal (N, D) of input"
        return ge::GRAPH_FAILED;
    }
    bool v_54 = (BL == B);
    bool v_55 = (BT == B);
    bool v_56 = (v_54 && v_55);
    if (!v_56) {
        // aclnn status 561002: "act_seq_len, slot_mapping and block_table must have one entry per batch"
        return ge::GRAPH_FAILED;
    }
    bool v_57 = (B <= 2048);
    if (!v_57) {
        // aclnn status 561002: "at most 2048 batches"
        return ge::GRAPH_FAILED;
    }
    tiling->compress_stride = compress_stride;
    tiling->PBS = PBS;
    tiling->N = N;
    tiling->D = D;
    tiling->CBS = CBS;
    tiling->B = B;
    tiling->v = D;
    tiling->v_2 = DO;
    int64_t v_58 = static_cast<int64_t>(platform.GetCoreNumAiv());
    int64_t v_59 = (1 > v_58 ? 1 : v_58);
    int64_t v_60 = (v_59 < v_58 ? v_59 : v_58);
    context->SetBlockDim(static_cast<uint32_t>(v_60));
    int64_t v_61 = DTypeBytes(context->GetInputDesc(0)->GetDataType());
    int64_t v_62 = (v_61 * 2);
    int64_t v_63 = (v_62 + 4);
    int64_t v_64 = (4 < v_61 ? 4 : v_61);
    int64_t v_65 = (v_63 + 4);
    int64_t v_66 = (v_64 < 4 ? v_64 : 4);
    int64_t v_67 = (v_65 + 4);
    int64_t v_68 = (v_66 < 4 ? v_66 : 4);
    int64_t v_69 = (v_67 + v_62);
    int64_t v_70 = (v_68 < v_61 ? v_68 : v_61);
    int64_t v_71 = (v_69 > 1 ? v_69 : 1);
    int64_t v_72 = FloorDiv(32, v_70);
    int64_t v_73 = (v_71 * v_72);
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    int64_t v_74 = static_cast<int64_t>(ubSize < 188416 ? ubSize : 188416);
    int64_t v_75 = (v_74 - v_73);
    int64_t v_76 = (0 > v_75 ? 0 : v_75);
    int64_t v_77 = (v_73 + v_76);
    int64_t v_78 = FloorDiv(v_77, v_71);
    int64_t v_79 = FloorDiv(v_78, v_72);
    int64_t v_80 = (v_79 * v_72);
    int64_t v_81 = (v_72 > v_80 ? v_72 : v_80);
    tiling->chunk0 = v_81;
    tiling->input_dim0 = NB;
    tiling->input_dim1 = PBS;
    tiling->input_dim2 = N;
    tiling->input_dim3 = D;
    tiling->sizeof_T = v_61;
    tiling->output_cache_dim0 = S;
    tiling->output_cache_dim1 = NO;
    tiling->output_cache_dim2 = DO;
    tiling->act_seq_len_dim0 = BL;
    tiling->slot_mapping_dim0 = B;
    tiling->block_table_dim0 = BT;
    int64_t v_82 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(1));
    tiling->block_table_dim1 = v_82;
    tiling->weight_dim0 = CBS;
    tiling->weight_dim1 = NW;
    int64_t v_83 = (NB * PBS);
    int64_t v_84 = (v_83 * N);
    int64_t v_85 = (v_84 * D);
    tiling->input_numel = v_85;
    int64_t v_86 = (CBS * NW);
    tiling->weight_numel = v_86;
    tiling->slot_mapping_numel = B;
    int64_t v_87 = (S * NO);
    int64_t v_88 = (v_87 * DO);
    tiling->output_cache_numel = v_88;
    tiling->act_seq_len_numel = BL;
    int64_t v_89 = (BT * v_82);
    tiling->block_table_numel = v_89;
    context->SetTilingKey(1);
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}
