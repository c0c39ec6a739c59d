/*
 * Shared declarations of the mobinfer command-line tool: exit codes, the
 * command entry points and the error reporters every command uses, so that
 * all commands fail the same way.
 */
#ifndef MOBINFER_CLI_H
#define MOBINFER_CLI_H

#include <stddef.h>

#include "mobinfer.h"

#if defined(__GNUC__)
#define CLI_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define CLI_PRINTF(fmt_index, first_arg)
#endif

/* Exit codes; docs/CLI.md documents them, scripts rely on them. */
enum {
    CLI_EXIT_OK = 0,      /* success                                          */
    CLI_EXIT_RUNTIME = 1, /* the library reported a failure (status != OK)    */
    CLI_EXIT_USAGE = 2,   /* bad command line, or inputs that do not fit      */
    CLI_EXIT_IO = 3       /* reading or writing one of the CLI's own files    */
};

/* Commands. argv[0] is the command's name ("run", ...); options start at
 * argv[1]. Each returns one of the exit codes above. */
int cli_run(int argc, char **argv);
int cli_info(int argc, char **argv);
int cli_bench(int argc, char **argv);
int cli_conformance(int argc, char **argv);

/* Prints "mobinfer: error: <status name>: <message>" to stderr and returns
 * CLI_EXIT_RUNTIME. message may be NULL or empty. */
int cli_fail_status(mobinfer_status status, const char *message);

/* Prints "mobinfer <command>: <message>" and a pointer to --help to stderr,
 * returns CLI_EXIT_USAGE. */
int cli_fail_usage(const char *command, const char *fmt, ...) CLI_PRINTF(2, 3);

/* Prints "mobinfer: error: <message>" to stderr and returns CLI_EXIT_IO. */
int cli_fail_io(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Prints "mobinfer: note: <message>" to stderr (advice that is not an error). */
void cli_note(const char *fmt, ...) CLI_PRINTF(1, 2);

#endif
