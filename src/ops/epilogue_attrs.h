/* How a fused epilogue travels on an internal node (com.mobinfer domain):
 * the fusion pass writes these attributes, the kernel's prepare reads them.
 *   activation, activation_alpha, activation_beta   (mbi_act_kind as int)
 *   residual = 1: the last input is added after the activation
 *   post_activation, post_alpha, post_beta */
#ifndef MBI_OPS_EPILOGUE_ATTRS_H
#define MBI_OPS_EPILOGUE_ATTRS_H

#include "core/error.h"
#include "ir/graph.h"
#include "kernels/epilogue.h"

#define MBI_ATTR_ACT "activation"
#define MBI_ATTR_ACT_ALPHA "activation_alpha"
#define MBI_ATTR_ACT_BETA "activation_beta"
#define MBI_ATTR_RESIDUAL "residual"
#define MBI_ATTR_POST "post_activation"
#define MBI_ATTR_POST_ALPHA "post_alpha"
#define MBI_ATTR_POST_BETA "post_beta"

/* Reads the epilogue attributes of node (absent: none). Fails on an unknown
 * activation kind. */
mobinfer_status mbi_epilogue_from_attrs(const mbi_node *node, mbi_epilogue *ep, mbi_error *err);

/* Reads one activation from the attributes named kind_name, alpha_name and
 * beta_name (absent: none), for ops with more than one fused stage. */
mobinfer_status mbi_act_from_attrs(const mbi_node *node, const char *kind_name,
                                   const char *alpha_name, const char *beta_name, mbi_act *act,
                                   mbi_error *err);

/* A short name of the activation kind, for `info` ("relu", "hardswish"...). */
const char *mbi_act_name(mbi_act_kind kind);

#endif
