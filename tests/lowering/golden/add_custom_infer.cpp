namespace ge {
static graphStatus InferShape(gert::InferShapeContext* context)
{
    {  // output 0 (z) has the shape and dtype of input x
        const gert::Shape* xInShape = context->GetRequiredInputShape(0);
        gert::Shape* zOutShape = context->GetOutputShape(0);
        if (xInShape == nullptr || zOutShape == nullptr) {
            return GRAPH_FAILED;
        }
        *zOutShape = *xInShape;
    }
    return GRAPH_SUCCESS;
}

static graphStatus InferDataType(gert::InferDataTypeContext* context)
{
    // output 0 (z) takes the dtype of input 0 (x)
    if (context->SetOutputDataType(0, context->GetRequiredInputDataType(0)) != GRAPH_SUCCESS) {
        return GRAPH_FAILED;
    }
    return GRAPH_SUCCESS;
}
}  // namespace ge
