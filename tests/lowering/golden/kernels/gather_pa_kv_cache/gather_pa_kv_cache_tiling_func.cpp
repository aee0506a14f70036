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

static ge::graphStatus TilingFuncKey1(gert::TilingContext* context)
{
    auto* tiling = context->GetTilingData<GatherPaKvCacheKey1TilingData>();
    auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    const gert::RuntimeAttrs* attrs = context->GetAttrs();
    (void)attrs;
    const char* cache_mode = attrs->GetStr(0);
    bool is_seq_lens_cumsum = *attrs->GetBool(1);
    int64_t NB = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(0));
    int64_t BS = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(1));
    int64_t NH = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(2));
    int64_t DK = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(3));
    int64_t DV = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(3));
    int64_t B = static_cast<int64_t>(context->GetInputShape(2)->GetStorageShape().GetDim(0));
    int64_t W = static_cast<int64_t>(context->GetInputShape(2)->GetStorageShape().GetDim(1));
    int64_t L = static_cast<int64_t>(context->GetInputShape(3)->GetStorageShape().GetDim(0));
    int64_t TOK = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(0));
    bool v = [&]() { ge::DataType dt = context->GetInputDesc(0)->GetDataType(); return dt == ge::DT_FLOAT16 || dt == ge::DT_BF16 || dt == ge::DT_FLOAT || dt == ge::DT_INT8 || dt == ge::DT_UINT8 || dt == ge::DT_INT16 || dt == ge::DT_UINT16 || dt == ge::DT_INT32 || dt == ge::DT_UINT32 || dt == ge::DT_FLOAT8_E5M2 || dt == ge::DT_FLOAT8_E4M3FN || dt == ge::DT_HIFLOAT8; }();
    if (!v) {
        // aclnn status 161002: "key_cache, value_cache, key and value must be FLOAT16, BFLOAT16, FLOAT, INT8, UINT8, INT16, UINT16, INT32, UINT32, HIFLOAT8, FLOAT8_E5M2 or FLOAT8_E4M3FN"
        return ge::GRAPH_FAILED;
    }
    bool v_2 = [&]() { ge::DataType dt = context->GetInputDesc(2)->GetDataType(); return dt == ge::DT_INT32 || dt == ge::DT_INT64; }();
    if (!v_2) {
        // aclnn status 161002: "block_tables, seq_lens and seq_offset must be INT32 or INT64"
        return ge::GRAPH_FAILED;
    }
    bool v_3 = (NB > 0);
    bool v_4 = (BS > 0);
    bool v_5 = (v_3 && v_4);
    bool v_6 = (NH > 0);
    bool v_7 = (v_5 && v_6);
    bool v_8 = (DK > 0);
    bool v_9 = (v_7 && v_8);
    bool v_10 = (DV > 0);
    bool v_11 = (v_9 && v_10);
    if (!v_11) {
        // aclnn status 161002: "key_cache and value_cache must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_12 = (B > 0);
    bool v_13 = (W > 0);
    bool v_14 = (v_12 && v_13);
    if (!v_14) {
        // aclnn status 161002: "block_tables must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_15 = (L > 0);
    if (!v_15) {
        // aclnn status 161002: "seq_lens must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_16 = (TOK > 0);
    if (!v_16) {
        // aclnn status 161002: "key and value must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_17 = false;
    if (is_seq_lens_cumsum) {
        int64_t v_18 = (B + 1);
        bool v_19 = (L == v_18);
        v_17 = v_19;
    } else {
        bool v_20 = (L == B);
        v_17 = v_20;
    }
    if (!v_17) {
        // aclnn status 161002: "seq_lens must have B + 1 entries when is_seq_lens_cumsum is true, else B (B = block_tables.shape[0])"
        return ge::GRAPH_FAILED;
    }
    bool v_21 = (cache_mode != nullptr && (SameText(cache_mode, "Norm") || SameText(cache_mode, "PA_NZ")));
    if (!v_21) {
        // aclnn status 561002: "cache_mode must be \"Norm\" or \"PA_NZ\""
        return ge::GRAPH_FAILED;
    }
    int64_t v_22 = (NH * DK);
    int64_t v_23 = DTypeBytes(context->GetInputDesc(0)->GetDataType());
    int64_t v_24 = (v_22 * v_23);
    bool v_25 = (v_24 <= 151552);
    bool v_26 = false;
    if (v_25) {
        int64_t v_27 = (NH * DV);
        int64_t v_28 = (v_27 * v_23);
        bool v_29 = (v_28 <= 151552);
        v_26 = v_29;
    } else {
        v_26 = false;
    }
    if (!v_26) {
        // aclnn status 561002: "one token of key or value (num_heads * head_size * element size) must be at most 148 KB"
        return ge::GRAPH_FAILED;
    }
    bool v_30 = (context->GetOptionalInputShape(6) != nullptr);
    int64_t v_31 = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(1));
    int64_t v_32 = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(2));
    int64_t v_33 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(2));
    int64_t v_34 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(1));
    int64_t v_35 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(2));
    tiling->is_seq_lens_cumsum = is_seq_lens_cumsum;
    tiling->NB = NB;
    tiling->BS = BS;
    tiling->B = B;
    tiling->W = W;
    tiling->TOK = TOK;
    tiling->v = v_30;
    tiling->v_2 = NH;
    tiling->v_3 = DK;
    tiling->v_4 = v_31;
    tiling->v_5 = v_32;
    tiling->v_6 = v_33;
    tiling->v_7 = DV;
    tiling->v_8 = v_34;
    tiling->v_9 = v_35;
    tiling->v_10 = v_31;
    tiling->v_11 = v_32;
    tiling->v_12 = v_34;
    tiling->v_13 = v_35;
    tiling->sizeof_T = v_23;
    int64_t v_36 = static_cast<int64_t>(platform.GetCoreNumAiv());
    int64_t v_37 = (1 > v_36 ? 1 : v_36);
    int64_t v_38 = (v_37 < v_36 ? v_37 : v_36);
    context->SetBlockDim(static_cast<uint32_t>(v_38));
    int64_t v_39 = (v_23 * 2);
    int64_t v_40 = (v_39 > 1 ? v_39 : 1);
    int64_t v_41 = FloorDiv(32, v_23);
    int64_t v_42 = (v_40 * v_41);
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    int64_t v_43 = static_cast<int64_t>(ubSize < 188416 ? ubSize : 188416);
    int64_t v_44 = (v_42 + v_42);
    int64_t v_45 = (v_44 + v_42);
    int64_t v_46 = (v_45 + v_42);
    int64_t v_47 = (v_43 - v_46);
    int64_t v_48 = (0 > v_47 ? 0 : v_47);
    int64_t v_49 = FloorDiv(v_48, 4);
    int64_t v_50 = (v_42 + v_49);
    int64_t v_51 = FloorDiv(v_50, v_40);
    int64_t v_52 = FloorDiv(v_51, v_41);
    int64_t v_53 = (v_52 * v_41);
    int64_t v_54 = (v_41 > v_53 ? v_41 : v_53);
    tiling->chunk0 = v_54;
    tiling->chunk1 = v_54;
    tiling->chunk2 = v_54;
    tiling->chunk3 = v_54;
    tiling->key_cache_dim0 = NB;
    tiling->key_cache_dim1 = BS;
    tiling->key_cache_dim2 = NH;
    tiling->key_cache_dim3 = DK;
    tiling->key_dim0 = TOK;
    tiling->key_dim1 = v_31;
    tiling->key_dim2 = v_32;
    int64_t v_55 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(0));
    tiling->value_cache_dim0 = v_55;
    int64_t v_56 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(1));
    tiling->value_cache_dim1 = v_56;
    tiling->value_cache_dim2 = v_33;
    tiling->value_cache_dim3 = DV;
    int64_t v_57 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(0));
    tiling->value_dim0 = v_57;
    tiling->value_dim1 = v_34;
    tiling->value_dim2 = v_35;
    tiling->seq_lens_dim0 = L;
    int64_t v_58 = (context->GetOptionalInputShape(6) != nullptr ? static_cast<int64_t>(context->GetOptionalInputShape(6)->GetStorageShape().GetDim(0)) : 0);
    tiling->seq_offset_dim0 = v_58;
    tiling->block_tables_dim0 = B;
    tiling->block_tables_dim1 = W;
    int64_t v_59 = (NB * BS);
    int64_t v_60 = (v_59 * NH);
    int64_t v_61 = (v_60 * DK);
    tiling->key_cache_numel = v_61;
    int64_t v_62 = (v_55 * v_56);
    int64_t v_63 = (v_62 * v_33);
    int64_t v_64 = (v_63 * DV);
    tiling->value_cache_numel = v_64;
    int64_t v_65 = (B * W);
    tiling->block_tables_numel = v_65;
    tiling->seq_lens_numel = L;
    int64_t v_66 = (TOK * v_31);
    int64_t v_67 = (v_66 * v_32);
    tiling->key_numel = v_67;
    int64_t v_68 = (v_57 * v_34);
    int64_t v_69 = (v_68 * v_35);
    tiling->value_numel = v_69;
    int64_t v_70 = 0;
    if (v_30) {
        v_70 = v_58;
    } else {
        v_70 = 0;
    }
    tiling->seq_offset_numel = v_70;
    context->SetTilingKey(1);
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}

static ge::graphStatus TilingFuncKey2(gert::TilingContext* context)
{
    auto* tiling = context->GetTilingData<GatherPaKvCacheKey2TilingData>();
    auto platform = platform_ascendc::PlatformAscendC(context->GetPlatformInfo());
    const gert::RuntimeAttrs* attrs = context->GetAttrs();
    (void)attrs;
    const char* cache_mode = attrs->GetStr(0);
    bool is_seq_lens_cumsum = *attrs->GetBool(1);
    int64_t NB = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(0));
    int64_t HKA = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(1));
    int64_t BS = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(2));
    int64_t A = static_cast<int64_t>(context->GetInputShape(0)->GetStorageShape().GetDim(3));
    int64_t HVA = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(1));
    int64_t B = static_cast<int64_t>(context->GetInputShape(2)->GetStorageShape().GetDim(0));
    int64_t W = static_cast<int64_t>(context->GetInputShape(2)->GetStorageShape().GetDim(1));
    int64_t L = static_cast<int64_t>(context->GetInputShape(3)->GetStorageShape().GetDim(0));
    int64_t TOK = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(0));
    int64_t HK = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(1));
    int64_t HV = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(1));
    bool v = [&]() { ge::DataType dt = context->GetInputDesc(0)->GetDataType(); return dt == ge::DT_FLOAT16 || dt == ge::DT_BF16 || dt == ge::DT_FLOAT || dt == ge::DT_INT8 || dt == ge::DT_UINT8 || dt == ge::DT_INT16 || dt == ge::DT_UINT16 || dt == ge::DT_INT32 || dt == ge::DT_UINT32 || dt == ge::DT_FLOAT8_E5M2 || dt == ge::DT_FLOAT8_E4M3FN || dt == ge::DT_HIFLOAT8; }();
    if (!v) {
        // aclnn status 161002: "key_cache, value_cache, key and value must be FLOAT16, BFLOAT16, FLOAT, INT8, UINT8, INT16, UINT16, INT32, UINT32, HIFLOAT8, FLOAT8_E5M2 or FLOAT8_E4M3FN"
        return ge::GRAPH_FAILED;
    }
    bool v_2 = [&]() { ge::DataType dt = context->GetInputDesc(2)->GetDataType(); return dt == ge::DT_INT32 || dt == ge::DT_INT64; }();
    if (!v_2) {
        // aclnn status 161002: "block_tables, seq_lens and seq_offset must be INT32 or INT64"
        return ge::GRAPH_FAILED;
    }
    bool v_3 = (NB > 0);
    bool v_4 = (BS > 0);
    bool v_5 = (v_3 && v_4);
    bool v_6 = (HKA > 0);
    bool v_7 = (v_5 && v_6);
    bool v_8 = (HVA > 0);
    bool v_9 = (v_7 && v_8);
    if (!v_9) {
        // aclnn status 161002: "key_cache and value_cache must not be empty"
        return ge::GRAPH_FAILED;
    }
    int64_t v_10 = DTypeBytes(context->GetInputDesc(0)->GetDataType());
    int64_t v_11 = (A * v_10);
    bool v_12 = (v_11 == 32);
    if (!v_12) {
        // aclnn status 161002: "the last dim of key_cache and value_cache must be 32 bytes (PA_NZ)"
        return ge::GRAPH_FAILED;
    }
    bool v_13 = (B > 0);
    bool v_14 = (W > 0);
    bool v_15 = (v_13 && v_14);
    if (!v_15) {
        // aclnn status 161002: "block_tables must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_16 = (L > 0);
    if (!v_16) {
        // aclnn status 161002: "seq_lens must not be empty"
        return ge::GRAPH_FAILED;
    }
    bool v_17 = (TOK > 0);
    if (!v_17) {
        // aclnn status 161002: "key and value must not be empty"
        return ge::GRAPH_FAILED;
    }
    int64_t v_18 = (HKA * A);
    bool v_19 = (HK == v_18);
    if (!v_19) {
        // aclnn status 161002: "key.shape[1] must equal key_cache.shape[1] * key_cache.shape[3] (PA_NZ)"
        return ge::GRAPH_FAILED;
    }
    int64_t v_20 = (HVA * A);
    bool v_21 = (HV == v_20);
    if (!v_21) {
        // aclnn status 161002: "value.shape[1] must equal value_cache.shape[1] * value_cache.shape[3] (PA_NZ)"
        return ge::GRAPH_FAILED;
    }
    bool v_22 = false;
    if (is_seq_lens_cumsum) {
        int64_t v_23 = (B + 1);
        bool v_24 = (L == v_23);
        v_22 = v_24;
    } else {
        bool v_25 = (L == B);
        v_22 = v_25;
    }
    if (!v_22) {
        // aclnn status 161002: "seq_lens must have B + 1 entries when is_seq_lens_cumsum is true, else B (B = block_tables.shape[0])"
        return ge::GRAPH_FAILED;
    }
    bool v_26 = (cache_mode != nullptr && (SameText(cache_mode, "Norm") || SameText(cache_mode, "PA_NZ")));
    if (!v_26) {
        // aclnn status 561002: "cache_mode must be \"Norm\" or \"PA_NZ\""
        return ge::GRAPH_FAILED;
    }
    int64_t v_27 = (HK * v_10);
    bool v_28 = (v_27 <= 151552);
    bool v_29 = false;
    if (v_28) {
        int64_t v_30 = (HV * v_10);
        bool v_31 = (v_30 <= 151552);
        v_29 = v_31;
    } else {
        v_29 = false;
    }
    if (!v_29) {
        // aclnn status 561002: "one token of key or value (num_heads * head_size * element size) must be at most 148 KB"
        return ge::GRAPH_FAILED;
    }
    bool v_32 = (context->GetOptionalInputShape(6) != nullptr);
    int64_t v_33 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(3));
    tiling->is_seq_lens_cumsum = is_seq_lens_cumsum;
    tiling->NB = NB;
    tiling->HKA = HKA;
    tiling->BS = BS;
    tiling->A = A;
    tiling->HVA = HVA;
    tiling->B = B;
    tiling->W = W;
    tiling->TOK = TOK;
    tiling->v = v_32;
    tiling->v_2 = HK;
    tiling->v_3 = HKA;
    tiling->v_4 = A;
    tiling->v_5 = HV;
    tiling->v_6 = HVA;
    tiling->v_7 = v_33;
    tiling->v_8 = HK;
    tiling->v_9 = HV;
    tiling->sizeof_T = v_10;
    int64_t v_34 = static_cast<int64_t>(platform.GetCoreNumAiv());
    int64_t v_35 = (1 > v_34 ? 1 : v_34);
    int64_t v_36 = (v_35 < v_34 ? v_35 : v_34);
    context->SetBlockDim(static_cast<uint32_t>(v_36));
    int64_t v_37 = (v_10 * 2);
    int64_t v_38 = (v_37 > 1 ? v_37 : 1);
    int64_t v_39 = FloorDiv(32, v_10);
    int64_t v_40 = (v_38 * v_39);
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    int64_t v_41 = static_cast<int64_t>(ubSize < 188416 ? ubSize : 188416);
    int64_t v_42 = (v_40 + v_40);
    int64_t v_43 = (v_42 + v_40);
    int64_t v_44 = (v_43 + v_40);
    int64_t v_45 = (v_41 - v_44);
    int64_t v_46 = (0 > v_45 ? 0 : v_45);
    int64_t v_47 = FloorDiv(v_46, 4);
    int64_t v_48 = (v_40 + v_47);
    int64_t v_49 = FloorDiv(v_48, v_38);
    int64_t v_50 = FloorDiv(v_49, v_39);
    int64_t v_51 = (v_50 * v_39);
    int64_t v_52 = (v_39 > v_51 ? v_39 : v_51);
    tiling->chunk0 = v_52;
    tiling->chunk1 = v_52;
    tiling->chunk2 = v_52;
    tiling->chunk3 = v_52;
    tiling->key_cache_dim0 = NB;
    tiling->key_cache_dim1 = HKA;
    tiling->key_cache_dim2 = BS;
    tiling->key_cache_dim3 = A;
    tiling->key_dim0 = TOK;
    tiling->key_dim1 = HK;
    int64_t v_53 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(0));
    tiling->value_cache_dim0 = v_53;
    tiling->value_cache_dim1 = HVA;
    int64_t v_54 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(2));
    tiling->value_cache_dim2 = v_54;
    tiling->value_cache_dim3 = v_33;
    int64_t v_55 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(0));
    tiling->value_dim0 = v_55;
    tiling->value_dim1 = HV;
    tiling->seq_lens_dim0 = L;
    int64_t v_56 = (context->GetOptionalInputShape(6) != nullptr ? static_cast<int64_t>(context->GetOptionalInputShape(6)->GetStorageShape().GetDim(0)) : 0);
    tiling->seq_offset_dim0 = v_56;
    tiling->block_tables_dim0 = B;
    tiling->block_tables_dim1 = W;
    int64_t v_57 = (NB * HKA);
    int64_t v_58 = (v_57 * BS);
    int64_t v_59 = (v_58 * A);
    tiling->key_cache_numel = v_59;
    int64_t v_60 = (v_53 * HVA);
    int64_t v_61 = (v_60 * v_54);
    int64_t v_62 = (v_61 * v_33);
    tiling->value_cache_numel = v_62;
    int64_t v_63 = (B * W);
    tiling->block_tables_numel = v_63;
    tiling->seq_lens_numel = L;
    int64_t v_64 = (TOK * HK);
    tiling->key_numel = v_64;
    int64_t v_65 = (v_55 * HV);
    tiling->value_numel = v_65;
    int64_t v_66 = 0;
    if (v_32) {
        v_66 = v_56;
    } else {
        v_66 = 0;
    }
    tiling->seq_offset_numel = v_66;
    context->SetTilingKey(2);
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}

static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    const char* choice = context->GetAttrs()->GetStr(0);
    if (choice != nullptr && SameText(choice, "PA_NZ")) {
        return TilingFuncKey2(context);
    }
    return TilingFuncKey1(context);
}
