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
    bool seq_offset_present = (context->GetOptionalInputShape(6) != nullptr);
    int64_t v_30 = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(1));
    int64_t v_31 = static_cast<int64_t>(context->GetInputShape(4)->GetStorageShape().GetDim(2));
    int64_t v_32 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(2));
    int64_t v_33 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(1));
    int64_t v_34 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(2));
    tiling->is_seq_lens_cumsum = is_seq_lens_cumsum;
    tiling->NB = NB;
    tiling->BS = BS;
    tiling->B = B;
    tiling->W = W;
    tiling->TOK = TOK;
    tiling->seq_offset_present = seq_offset_present;
    tiling->v = NH;
    tiling->v_2 = DK;
    tiling->v_3 = v_30;
    tiling->v_4 = v_31;
    tiling->v_5 = v_32;
    tiling->v_6 = DV;
    tiling->v_7 = v_33;
    tiling->v_8 = v_34;
    tiling->v_9 = v_30;
    tiling->v_10 = v_31;
    tiling->v_11 = v_33;
    tiling->v_12 = v_34;
    tiling->sizeof_T = v_23;
    int64_t v_35 = static_cast<int64_t>(platform.GetCoreNumAiv());
    int64_t v_36 = (1 > v_35 ? 1 : v_35);
    int64_t v_37 = (v_36 < v_35 ? v_36 : v_35);
    context->SetBlockDim(static_cast<uint32_t>(v_37));
    int64_t v_38 = (v_23 * 2);
    int64_t v_39 = (v_38 > 1 ? v_38 : 1);
    int64_t v_40 = FloorDiv(32, v_23);
    int64_t v_41 = (v_39 * v_40);
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    int64_t v_42 = static_cast<int64_t>(ubSize < 188416 ? ubSize : 188416);
    int64_t v_43 = (v_41 + v_41);
    int64_t v_44 = (v_43 + v_41);
    int64_t v_45 = (v_44 + v_41);
    int64_t v_46 = (v_42 - v_45);
    int64_t v_47 = (0 > v_46 ? 0 : v_46);
    int64_t v_48 = FloorDiv(v_47, 4);
    int64_t v_49 = (v_41 + v_48);
    int64_t v_50 = FloorDiv(v_49, v_39);
    int64_t v_51 = FloorDiv(v_50, v_40);
    int64_t v_52 = (v_51 * v_40);
    int64_t v_53 = (v_40 > v_52 ? v_40 : v_52);
    tiling->chunk0 = v_53;
    tiling->chunk1 = v_53;
    tiling->chunk2 = v_53;
    tiling->chunk3 = v_53;
    tiling->key_cache_dim0 = NB;
    tiling->key_cache_dim1 = BS;
    tiling->key_cache_dim2 = NH;
    tiling->key_cache_dim3 = DK;
    tiling->key_dim0 = TOK;
    tiling->key_dim1 = v_30;
    tiling->key_dim2 = v_31;
    int64_t v_54 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(0));
    tiling->value_cache_dim0 = v_54;
    int64_t v_55 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(1));
    tiling->value_cache_dim1 = v_55;
    tiling->value_cache_dim2 = v_32;
    tiling->value_cache_dim3 = DV;
    int64_t v_56 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(0));
    tiling->value_dim0 = v_56;
    tiling->value_dim1 = v_33;
    tiling->value_dim2 = v_34;
    tiling->seq_lens_dim0 = L;
    int64_t v_57 = (context->GetOptionalInputShape(6) != nullptr ? static_cast<int64_t>(context->GetOptionalInputShape(6)->GetStorageShape().GetDim(0)) : 0);
    tiling->seq_offset_dim0 = v_57;
    tiling->block_tables_dim0 = B;
    tiling->block_tables_dim1 = W;
    int64_t v_58 = (NB * BS);
    int64_t v_59 = (v_58 * NH);
    int64_t v_60 = (v_59 * DK);
    tiling->key_cache_numel = v_60;
    int64_t v_61 = (v_54 * v_55);
    int64_t v_62 = (v_61 * v_32);
    int64_t v_63 = (v_62 * DV);
    tiling->value_cache_numel = v_63;
    int64_t v_64 = (B * W);
    tiling->block_tables_numel = v_64;
    tiling->seq_lens_numel = L;
    int64_t v_65 = (TOK * v_30);
    int64_t v_66 = (v_65 * v_31);
    tiling->key_numel = v_66;
    int64_t v_67 = (v_56 * v_33);
    int64_t v_68 = (v_67 * v_34);
    tiling->value_numel = v_68;
    int64_t v_69 = 0;
    if (seq_offset_present) {
        v_69 = v_57;
    } else {
        v_69 = 0;
    }
    tiling->seq_offset_numel = v_69;
    int64_t v_70 = (is_seq_lens_cumsum ? 1 : 0);
    int64_t v_71 = (0 + v_70);
    int64_t v_72 = (seq_offset_present ? 2 : 0);
    int64_t v_73 = (v_71 + v_72);
    context->SetTilingKey(static_cast<uint64_t>(1 + v_73));
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}

static ge::graphStatus TilingFuncKey5(gert::TilingContext* context)
{
    auto* tiling = context->GetTilingData<GatherPaKvCacheKey5TilingData>();
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
    bool seq_offset_present = (context->GetOptionalInputShape(6) != nullptr);
    int64_t v_32 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(3));
    tiling->is_seq_lens_cumsum = is_seq_lens_cumsum;
    tiling->NB = NB;
    tiling->HKA = HKA;
    tiling->BS = BS;
    tiling->A = A;
    tiling->HVA = HVA;
    tiling->B = B;
    tiling->W = W;
    tiling->TOK = TOK;
    tiling->seq_offset_present = seq_offset_present;
    tiling->v = HK;
    tiling->v_2 = HKA;
    tiling->v_3 = A;
    tiling->v_4 = HV;
    tiling->v_5 = HVA;
    tiling->v_6 = v_32;
    tiling->v_7 = HK;
    tiling->v_8 = HV;
    tiling->sizeof_T = v_10;
    int64_t v_33 = static_cast<int64_t>(platform.GetCoreNumAiv());
    int64_t v_34 = (1 > v_33 ? 1 : v_33);
    int64_t v_35 = (v_34 < v_33 ? v_34 : v_33);
    context->SetBlockDim(static_cast<uint32_t>(v_35));
    int64_t v_36 = (v_10 * 2);
    int64_t v_37 = (v_36 > 1 ? v_36 : 1);
    int64_t v_38 = FloorDiv(32, v_10);
    int64_t v_39 = (v_37 * v_38);
    uint64_t ubSize = 0;
    platform.GetCoreMemSize(platform_ascendc::CoreMemType::UB, ubSize);
    int64_t v_40 = static_cast<int64_t>(ubSize < 188416 ? ubSize : 188416);
    int64_t v_41 = (v_39 + v_39);
    int64_t v_42 = (v_41 + v_39);
    int64_t v_43 = (v_42 + v_39);
    int64_t v_44 = (v_40 - v_43);
    int64_t v_45 = (0 > v_44 ? 0 : v_44);
    int64_t v_46 = FloorDiv(v_45, 4);
    int64_t v_47 = (v_39 + v_46);
    int64_t v_48 = FloorDiv(v_47, v_37);
    int64_t v_49 = FloorDiv(v_48, v_38);
    int64_t v_50 = (v_49 * v_38);
    int64_t v_51 = (v_38 > v_50 ? v_38 : v_50);
    tiling->chunk0 = v_51;
    tiling->chunk1 = v_51;
    tiling->chunk2 = v_51;
    tiling->chunk3 = v_51;
    tiling->key_cache_dim0 = NB;
    tiling->key_cache_dim1 = HKA;
    tiling->key_cache_dim2 = BS;
    tiling->key_cache_dim3 = A;
    tiling->key_dim0 = TOK;
    tiling->key_dim1 = HK;
    int64_t v_52 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(0));
    tiling->value_cache_dim0 = v_52;
    tiling->value_cache_dim1 = HVA;
    int64_t v_53 = static_cast<int64_t>(context->GetInputShape(1)->GetStorageShape().GetDim(2));
    tiling->value_cache_dim2 = v_53;
    tiling->value_cache_dim3 = v_32;
    int64_t v_54 = static_cast<int64_t>(context->GetInputShape(5)->GetStorageShape().GetDim(0));
    tiling->value_dim0 = v_54;
    tiling->value_dim1 = HV;
    tiling->seq_lens_dim0 = L;
    int64_t v_55 = (context->GetOptionalInputShape(6) != nullptr ? static_cast<int64_t>(context->GetOptionalInputShape(6)->GetStorageShape().GetDim(0)) : 0);
    tiling->seq_offset_dim0 = v_55;
    tiling->block_tables_dim0 = B;
    tiling->block_tables_dim1 = W;
    int64_t v_56 = (NB * HKA);
    int64_t v_57 = (v_56 * BS);
    int64_t v_58 = (v_57 * A);
    tiling->key_cache_numel = v_58;
    int64_t v_59 = (v_52 * HVA);
    int64_t v_60 = (v_59 * v_53);
    int64_t v_61 = (v_60 * v_32);
    tiling->value_cache_numel = v_61;
    int64_t v_62 = (B * W);
    tiling->block_tables_numel = v_62;
    tiling->seq_lens_numel = L;
    int64_t v_63 = (TOK * HK);
    tiling->key_numel = v_63;
    int64_t v_64 = (v_54 * HV);
    tiling->value_numel = v_64;
    int64_t v_65 = 0;
    if (seq_offset_present) {
        v_65 = v_55;
    } else {
        v_65 = 0;
    }
    tiling->seq_offset_numel = v_65;
    int64_t v_66 = (is_seq_lens_cumsum ? 1 : 0);
    int64_t v_67 = (0 + v_66);
    int64_t v_68 = (seq_offset_present ? 2 : 0);
    int64_t v_69 = (v_67 + v_68);
    context->SetTilingKey(static_cast<uint64_t>(5 + v_69));
    size_t* workspace = context->GetWorkspaceSizes(1);
    workspace[0] = platform.GetLibApiWorkSpaceSize();
    return ge::GRAPH_SUCCESS;
}

static ge::graphStatus TilingFunc(gert::TilingContext* context)
{
    const char* choice = context->GetAttrs()->GetStr(0);
    if (choice != nullptr && SameText(choice, "PA_NZ")) {
        return TilingFuncKey5(context);
    }
    return TilingFuncKey1(context);
}
