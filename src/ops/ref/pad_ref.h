/* Reference kernel of Pad: every output element comes from the input element
 * its coordinates map to, or is a constant. Elements are moved as elem_size
 * bytes, so any dtype works. */
#ifndef MBI_OPS_REF_PAD_REF_H
#define MBI_OPS_REF_PAD_REF_H

#include <stddef.h>
#include <stdint.h>

typedef enum mbi_pad_mode {
    MBI_PAD_CONSTANT, /* outside the input: *value */
    MBI_PAD_REFLECT,  /* mirror without repeating the edge: ... 2 1 | 0 1 2 | 1 0 ... */
    MBI_PAD_EDGE,     /* repeat the edge element */
    MBI_PAD_WRAP      /* continue periodically */
} mbi_pad_mode;

/* in has shape in_dims, out has shape out_dims (same rank); output
 * coordinate o on axis d maps to input coordinate o - begin[d] (begin may be
 * negative: cropping). For modes other than CONSTANT every axis with
 * out_dims[d] > 0 must have in_dims[d] > 0. `value` is one element, used in
 * CONSTANT mode only. */
void mbi_ref_pad(size_t elem_size, mbi_pad_mode mode, int rank, const int64_t *in_dims,
                 const int64_t *out_dims, const int64_t *begin, const void *value,
                 const void *in, void *out);

#endif
