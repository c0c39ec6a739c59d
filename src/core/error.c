#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

mobinfer_status mbi_fail(mbi_error *err, mobinfer_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->status = status;
    }
    return status;
}

void mbi_error_prefix(mbi_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[MBI_ERROR_MESSAGE_BYTES];
    char old[MBI_ERROR_MESSAGE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->message, sizeof old);
    old[sizeof old - 1] = '\0';
    /* Truncation is fine here: the front of the message matters most. */
    size_t cap = sizeof err->message - 1;
    size_t a = strlen(prefix), b = strlen(old);
    if (a > cap)
        a = cap;
    memcpy(err->message, prefix, a);
    size_t at = a;
    if (at + 2 <= cap) {
        memcpy(err->message + at, ": ", 2);
        at += 2;
    }
    if (b > cap - at)
        b = cap - at;
    memcpy(err->message + at, old, b);
    err->message[at + b] = '\0';
}

void mbi_error_clear(mbi_error *err)
{
    if (err) {
        err->status = MOBINFER_OK;
        err->message[0] = '\0';
    }
}
