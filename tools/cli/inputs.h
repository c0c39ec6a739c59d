/*
 * Input options shared by `run` and `bench`: --input NAME=FILE, the image
 * preprocessing flags and presets, and turning them into tensors once the
 * model (and so its input names, dtypes and shapes) is known.
 */
#ifndef MOBINFER_CLI_INPUTS_H
#define MOBINFER_CLI_INPUTS_H

#include <stddef.h>

#include "cli_tensor.h"
#include "mobinfer.h"
#include "preprocess.h"

typedef struct input_options {
    const char **specs; /* --input arguments, borrowed from argv */
    size_t num_specs;
    prep_params prep;
    const char *preset;
    /* Which settings were given explicitly: a preset fills in only the rest,
     * and an unset layout or crop is taken from the model input. */
    int resize_set, crop_set, mean_set, std_set, layout_set;
} input_options;

/* Prepares o for parsing up to argc arguments. Returns 0, -1 if out of memory. */
int input_options_init(input_options *o, int argc);
void input_options_free(input_options *o);

/* If argv[*i] is an input option, consumes it (and its value) and returns 1;
 * returns 0 if it is not one, or CLI-style reports a usage error for
 * `command` and returns -1. */
int input_options_parse(input_options *o, const char *command, int argc, char **argv, int *i);

/* Applies the preset to the settings not given explicitly. Returns 0, or
 * reports a usage error and returns -1. */
int input_options_finish(input_options *o, const char *command);

/* One model input read from a file. */
typedef struct loaded_input {
    const char *name;  /* owned by the model */
    const char *path;  /* borrowed from argv */
    cli_tensor tensor;
} loaded_input;

typedef struct loaded_inputs {
    loaded_input *items;
    size_t count;
} loaded_inputs;

/* Resolves every --input against the model's inputs and reads the files.
 * Returns a CLI exit code (CLI_EXIT_OK, _USAGE for unknown or repeated
 * names and mismatched dtypes, _IO for unreadable or malformed files),
 * having printed the reason. */
int inputs_load(const mobinfer_model *model, const input_options *o, const char *command,
                loaded_inputs *out);

/* Reports the first model input that has no file, naming it. */
int inputs_require_all(const mobinfer_model *model, const loaded_inputs *in,
                       const char *command);

/* The loaded input called name, or NULL. */
const loaded_input *inputs_find(const loaded_inputs *in, const char *name);

void loaded_inputs_free(loaded_inputs *in);

/* Help text for the options above, shared by the commands' --help. */
extern const char input_options_help[];

#endif
