/* Error reporting in one place so that every command prints the same shapes
 * of message and returns the documented exit codes. */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int cli_fail_status(mobinfer_status status, const char *message)
{
    const char *name = mobinfer_status_name(status);
    if (message != NULL && message[0] != '\0')
        fprintf(stderr, "mobinfer: error: %s: %s\n", name, message);
    else
        fprintf(stderr, "mobinfer: error: %s\n", name);
    return CLI_EXIT_RUNTIME;
}

int cli_fail_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mobinfer %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'mobinfer %s --help'.\n", command);
    return CLI_EXIT_USAGE;
}

int cli_fail_io(const char *fmt, ...)
{
    va_list ap;
    fputs("mobinfer: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return CLI_EXIT_IO;
}

void cli_note(const char *fmt, ...)
{
    va_list ap;
    fputs("mobinfer: note: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
