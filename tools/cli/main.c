/* mobinfer command-line tool: dispatches `mobinfer <command> ...` to the
 * command implementations (cmd_*.c). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "Usage: mobinfer <command> [options]\n"
    "\n"
    "Commands:\n"
    "  run MODEL          run a model on .npy or image inputs; print or save outputs\n"
    "  info MODEL         describe a model: inputs, outputs, operators, MACs, memory\n"
    "  bench MODEL        measure load time and run latency\n"
    "  conformance        run ONNX backend test cases\n"
    "  help               show this help (also --help, -h)\n"
    "  --version          show the version\n"
    "\n"
    "'mobinfer <command> --help' describes a command's options.\n"
    "\n"
    "Exit codes: 0 success; 1 the library reported an error (printed as\n"
    "'mobinfer: error: <status>: <message>'); 2 usage error; 3 I/O error on a\n"
    "file the tool reads or writes itself (inputs, outputs).\n";

typedef struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
} command;

int main(int argc, char **argv)
{
    static const command commands[] = {
        {"run", cli_run},
        {"info", cli_info},
        {"bench", cli_bench},
        {"conformance", cli_conformance},
    };
    size_t k;

    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 && argc >= 3) {
        /* "mobinfer help run" is "mobinfer run --help". */
        char help_flag[] = "--help";
        char *sub[3];
        sub[0] = argv[2];
        sub[1] = help_flag;
        sub[2] = NULL;
        for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
            if (strcmp(argv[2], commands[k].name) == 0)
                return commands[k].fn(2, sub);
        fprintf(stderr, "mobinfer: unknown command '%s'\n", argv[2]);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("mobinfer %d.%d.%d (ONNX opset <= %d)\n", MOBINFER_VERSION_MAJOR,
               MOBINFER_VERSION_MINOR, MOBINFER_VERSION_PATCH, MOBINFER_MAX_OPSET);
        return CLI_EXIT_OK;
    }
    for (k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (strcmp(argv[1], commands[k].name) == 0)
            return commands[k].fn(argc - 1, argv + 1);
    fprintf(stderr, "mobinfer: unknown command '%s'\n\n", argv[1]);
    fputs(usage_text, stderr);
    return CLI_EXIT_USAGE;
}
