#include "ops/epilogue_attrs.h"

#include "ir/attr.h"

mobinfer_status mbi_act_from_attrs(const mbi_node *node, const char *kind_name,
                                   const char *alpha_name, const char *beta_name, mbi_act *act,
                                   mbi_error *err)
{
    int64_t kind;
    mobinfer_status st;
    if ((st = mbi_attr_int(node, kind_name, MBI_ACT_NONE, &kind, err)) ||
        (st = mbi_attr_float(node, alpha_name, 0.0f, &act->alpha, err)) ||
        (st = mbi_attr_float(node, beta_name, 0.0f, &act->beta, err)))
        return st;
    if (kind < MBI_ACT_NONE || kind > MBI_ACT_GELU_TANH)
        return mbi_fail(err, MOBINFER_ERR_INVALID_MODEL, "attribute '%s' is %lld, not an activation",
                        kind_name, (long long)kind);
    act->kind = (mbi_act_kind)kind;
    return MOBINFER_OK;
}

mobinfer_status mbi_epilogue_from_attrs(const mbi_node *node, mbi_epilogue *ep, mbi_error *err)
{
    int64_t residual;
    mobinfer_status st;
    if ((st = mbi_act_from_attrs(node, MBI_ATTR_ACT, MBI_ATTR_ACT_ALPHA, MBI_ATTR_ACT_BETA,
                                 &ep->act, err)) ||
        (st = mbi_act_from_attrs(node, MBI_ATTR_POST, MBI_ATTR_POST_ALPHA, MBI_ATTR_POST_BETA,
                                 &ep->post, err)) ||
        (st = mbi_attr_int(node, MBI_ATTR_RESIDUAL, 0, &residual, err)))
        return st;
    ep->residual = residual != 0;
    return MOBINFER_OK;
}

const char *mbi_act_name(mbi_act_kind kind)
{
    static const char *const names[] = {"none",      "relu",     "clip",      "leakyrelu",
                                        "hardsigmoid", "hardswish", "sigmoid", "silu",
                                        "tanh",      "gelu",     "gelu_tanh"};
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "?";
}
