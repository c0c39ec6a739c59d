/* The loaded model: the imported graph, the mappings its weights live in,
 * and the public descriptions of its inputs and outputs. */
#ifndef MBI_RUNTIME_MODEL_H
#define MBI_RUNTIME_MODEL_H

#include "core/mapped_file.h"
#include "core/pool.h"
#include "ir/graph.h"

#define MBI_MAX_EXTERNAL_FILES 1024

typedef struct mbi_external_file {
    const char *location;
    mbi_mapped_file map;
} mbi_external_file;

struct mobinfer_model {
    mbi_pool pool;
    mbi_graph graph;
    mobinfer_limits limits;
    mbi_mapped_file file;       /* empty when loaded from memory */
    char *dir;                  /* directory for external data; NULL from memory */
    mbi_external_file *external;
    int n_external;
    mobinfer_value_info *inputs;
    mobinfer_value_info *outputs;
};

/* Fills zero fields of *limits with the defaults. */
void mbi_limits_resolve(mobinfer_limits *limits);

/* Records a failure of a call without a session for mobinfer_last_error. */
mobinfer_status mbi_set_thread_error(const mbi_error *err);
void mbi_clear_thread_error(void);

/* Builds a public mobinfer_value_info for a value declaration. */
mobinfer_status mbi_value_info_from_decl(mbi_pool *pool, const mbi_value_decl *decl,
                                         mobinfer_value_info *out);

#endif
