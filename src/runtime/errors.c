#include <string.h>

#include "core/tensor.h"
#include "runtime/model.h"

/* The one piece of per-thread state: the message of the last failing call
 * that has no session to keep it in (see mobinfer.h). */
static _Thread_local char thread_message[MBI_ERROR_MESSAGE_BYTES];

mobinfer_status mbi_set_thread_error(const mbi_error *err)
{
    memcpy(thread_message, err->message, sizeof thread_message);
    thread_message[sizeof thread_message - 1] = '\0';
    return err->status;
}

void mbi_clear_thread_error(void)
{
    thread_message[0] = '\0';
}

const char *mobinfer_last_error(void)
{
    return thread_message;
}

const char *mobinfer_status_name(mobinfer_status status)
{
    switch (status) {
    case MOBINFER_OK: return "MOBINFER_OK";
    case MOBINFER_ERR_INVALID_ARGUMENT: return "MOBINFER_ERR_INVALID_ARGUMENT";
    case MOBINFER_ERR_IO: return "MOBINFER_ERR_IO";
    case MOBINFER_ERR_PARSE: return "MOBINFER_ERR_PARSE";
    case MOBINFER_ERR_UNSUPPORTED: return "MOBINFER_ERR_UNSUPPORTED";
    case MOBINFER_ERR_INVALID_MODEL: return "MOBINFER_ERR_INVALID_MODEL";
    case MOBINFER_ERR_SHAPE: return "MOBINFER_ERR_SHAPE";
    case MOBINFER_ERR_LIMIT: return "MOBINFER_ERR_LIMIT";
    case MOBINFER_ERR_OUT_OF_MEMORY: return "MOBINFER_ERR_OUT_OF_MEMORY";
    case MOBINFER_ERR_INPUT: return "MOBINFER_ERR_INPUT";
    case MOBINFER_ERR_INTERNAL: return "MOBINFER_ERR_INTERNAL";
    }
    return "MOBINFER_ERR_UNKNOWN";
}

size_t mobinfer_dtype_size(mobinfer_dtype dtype)
{
    return mbi_dtype_size(dtype);
}

const char *mobinfer_dtype_name(mobinfer_dtype dtype)
{
    return mbi_dtype_name(dtype);
}
