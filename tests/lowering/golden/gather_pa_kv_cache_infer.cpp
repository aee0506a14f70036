namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context)
{
    {  // output 0 (key) is updated in place
        const gert::Shape* keyInShape = context->GetRequiredInputShape(4);
        gert::Shape* keyOutShape = context->GetOutputShape(0);
        if (keyInShape == nullptr || keyOutShape == nullptr) {
            return GRAPH_FAILED;
        }
        *keyOutShape = *keyInShape;
    }
    {  // output 1 (value) is updated in place
        const gert::Shape* valueInShape = context->GetRequiredInputShape(5);
        gert::Shape* valueOutShape = context->GetOutputShape(1);
        if (valueInShape == nullptr || valueOutShape == nullptr) {
            return GRAPH_FAILED;
        }
        *valueOutShape = *valueInShape;
    }
    return GRAPH_SUCCESS;
}

static graphStatus InferDataType(gert::InferDataTypeContext* context)
{
    // output 0 (key) takes the dtype of input 4 (key)
    if (context->SetOutputDataType(0, context->GetRequiredInputDataType(4)) != GRAPH_SUCCESS) {
        return GRAPH_FAILED;
    }
    // output 1 (value) takes the dtype of input 5 (value)
    if (context->SetOutputDataType(1, context->GetRequiredInputDataType(5)) != GRAPH_SUCCESS) {
        return GRAPH_FAILED;
    }
    return GRAPH_SUCCESS;
}
}  // namespace ge
