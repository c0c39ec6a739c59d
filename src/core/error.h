/* Error reporting inside the library: a status plus a formatted message. */
#ifndef MBI_CORE_ERROR_H
#define MBI_CORE_ERROR_H

#include "mobinfer.h"

#define MBI_ERROR_MESSAGE_BYTES 512

typedef struct mbi_error {
    mobinfer_status status;
    char message[MBI_ERROR_MESSAGE_BYTES];
} mbi_error;

#if defined(__GNUC__)
#define MBI_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define MBI_PRINTF(fmt_index, first_arg)
#endif

/* Records status and message in err (which may be NULL) and returns status,
 * so that callers can write `return mbi_fail(err, STATUS, "...", ...);`. */
mobinfer_status mbi_fail(mbi_error *err, mobinfer_status status, const char *fmt, ...)
    MBI_PRINTF(3, 4);

/* Puts "prefix: " in front of the message already in err (for adding the
 * node or tensor that an inner failure concerns). */
void mbi_error_prefix(mbi_error *err, const char *fmt, ...) MBI_PRINTF(2, 3);

void mbi_error_clear(mbi_error *err);

#endif
