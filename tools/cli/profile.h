/* The per-node latency table of `mobinfer bench --profile`: what each node
 * of the planned session costs, the input hardware-aware architecture search
 * (FBNet, MnasNet) consumes as a lookup table. */
#ifndef MOBINFER_CLI_PROFILE_H
#define MOBINFER_CLI_PROFILE_H

#include <stdio.h>

#include "mobinfer.h"

/* Prints the table (text) to out when out is not NULL, and writes it as
 * JSON to json_path when that is not NULL. Returns a CLI exit code. */
int profile_report(const mobinfer_session *session, const char *model, int threads, FILE *out,
                   const char *json_path);

#endif
