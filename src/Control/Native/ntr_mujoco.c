/*
 * ntr_mujoco: C shim over MuJoCo 2.2.2. See ntr_mujoco.h for the contract.
 *
 * Error handling: MuJoCo reports fatal errors through mju_error, whose default handler exits the process. The shim
 * installs its own handler once per process. Every shim entry point that calls into MuJoCo arms a thread-local
 * jmp_buf; the handler copies the message into a thread-local buffer and longjmps back to the entry point, which
 * returns NTR_E_MUJOCO. (MuJoCo's own documentation allows a user error handler that does not return.)
 */
#define _GNU_SOURCE
#include "ntr_mujoco.h"

#include <mujoco/mujoco.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if mjVERSION_HEADER != 222
#error "ntr_mujoco is written against MuJoCo 2.2.2 (mjVERSION_HEADER 222): install libmujoco-dev 2.2.2"
#endif

_Static_assert(sizeof(mjtNum) == sizeof(double), "ntr_mujoco expects MuJoCo built with double precision mjtNum");

#define NTR_MESSAGE_SIZE 1024

static _Thread_local jmp_buf* tl_jump = NULL;
static _Thread_local char tl_error[NTR_MESSAGE_SIZE];
static _Thread_local char tl_warning[NTR_MESSAGE_SIZE];

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t load_mutex = PTHREAD_MUTEX_INITIALIZER;

static void on_mujoco_error(const char* message) {
    snprintf(tl_error, sizeof tl_error, "%s", message ? message : "(MuJoCo gave no message)");
    if (tl_jump != NULL) {
        longjmp(*tl_jump, 1);
    }
    /* An error outside a shim call (another library calling MuJoCo directly): nothing to return to. */
    fprintf(stderr, "ntr_mujoco: MuJoCo error outside a guarded call: %s\n", tl_error);
    abort();
}

static void on_mujoco_warning(const char* message) {
    snprintf(tl_warning, sizeof tl_warning, "%s", message ? message : "(MuJoCo gave no message)");
}

static void install_hooks(void) {
    mju_user_error = on_mujoco_error;
    mju_user_warning = on_mujoco_warning;
}

static void ensure_hooks(void) {
    pthread_once(&hooks_once, install_hooks);
}

static void write_message(char* error, int error_size, const char* message) {
    if (error != NULL && error_size > 0) {
        snprintf(error, (size_t)error_size, "%s", message);
    }
}

static int fail_argument(char* error, int error_size, const char* message) {
    write_message(error, error_size, message);
    return NTR_E_ARGUMENT;
}

int ntr_abi_version(void) { return NTR_SHIM_ABI_VERSION; }

int ntr_mujoco_version(void) { return mj_version(); }

int ntr_mujoco_header_version(void) { return mjVERSION_HEADER; }

/*
 * Runs operation(context) with MuJoCo errors caught: MuJoCo's error hook long-jumps back here, and the error's
 * message goes to error. Returns NTR_OK, or NTR_E_MUJOCO after an error.
 */
static int call_guarded(void (*operation)(void* context), void* context, char* error, int error_size) {
    jmp_buf jump;
    jmp_buf* volatile previous = tl_jump;
    if (setjmp(jump) != 0) {
        tl_jump = previous;
        write_message(error, error_size, tl_error);
        return NTR_E_MUJOCO;
    }
    tl_jump = &jump;
    operation(context);
    tl_jump = previous;
    return NTR_OK;
}

struct load_call {
    const char* filename;
    const mjVFS* vfs;
    char load_error[NTR_MESSAGE_SIZE];
    mjModel* model;
};

static void load_operation(void* context) {
    struct load_call* call = context;
    call->model = mj_loadXML(call->filename, call->vfs, call->load_error, (int)sizeof call->load_error);
}

/* Loads through mj_loadXML with MuJoCo errors caught; vfs may be NULL. Caller holds load_mutex. */
static mjModel* load_guarded(const char* filename, const mjVFS* vfs, char* error, int error_size) {
    struct load_call call = { .filename = filename, .vfs = vfs, .load_error = { '\0' }, .model = NULL };
    if (call_guarded(load_operation, &call, error, error_size) != NTR_OK) {
        return NULL;
    }
    if (call.model == NULL) {
        write_message(error, error_size, call.load_error[0] != '\0' ? call.load_error : "mj_loadXML failed without a message");
    }
    return call.model;
}

mjModel* ntr_load_xml_file(const char* path, char* error, int error_size) {
    if (path == NULL) {
        fail_argument(error, error_size, "ntr_load_xml_file: path is null");
        return NULL;
    }
    ensure_hooks();
    pthread_mutex_lock(&load_mutex);
    mjModel* model = load_guarded(path, NULL, error, error_size);
    pthread_mutex_unlock(&load_mutex);
    return model;
}

mjModel* ntr_load_xml_string(const char* xml, char* error, int error_size) {
    static const char* const name = "ntr_scene.xml";
    if (xml == NULL) {
        fail_argument(error, error_size, "ntr_load_xml_string: xml is null");
        return NULL;
    }
    ensure_hooks();
    size_t length = strlen(xml);
    if (length + 1 > (size_t)0x7fffffff) {
        fail_argument(error, error_size, "ntr_load_xml_string: xml is larger than 2 GiB");
        return NULL;
    }
    mjVFS* vfs = (mjVFS*)malloc(sizeof(mjVFS));
    if (vfs == NULL) {
        write_message(error, error_size, "ntr_load_xml_string: out of memory for the virtual file system");
        return NULL;
    }
    mjModel* model = NULL;
    pthread_mutex_lock(&load_mutex);
    mj_defaultVFS(vfs);
    int status = mj_makeEmptyFileVFS(vfs, name, (int)(length + 1));
    int index = status == 0 ? mj_findFileVFS(vfs, name) : -1;
    if (index < 0) {
        write_message(error, error_size, "ntr_load_xml_string: could not create the in-memory MJCF file");
    } else {
        memcpy(vfs->filedata[index], xml, length + 1);
        model = load_guarded(name, vfs, error, error_size);
    }
    mj_deleteVFS(vfs);
    pthread_mutex_unlock(&load_mutex);
    free(vfs);
    return model;
}

void ntr_free_model(mjModel* m) {
    if (m != NULL) {
        ensure_hooks();
        mj_deleteModel(m);
    }
}

int ntr_model_sizes(const mjModel* m, ntr_sizes* out) {
    if (m == NULL || out == NULL) {
        return NTR_E_ARGUMENT;
    }
    out->nq = m->nq;
    out->nv = m->nv;
    out->nu = m->nu;
    out->nbody = m->nbody;
    out->njnt = m->njnt;
    out->ngeom = m->ngeom;
    out->nsite = m->nsite;
    out->neq = m->neq;
    out->nmocap = m->nmocap;
    out->nkey = m->nkey;
    return NTR_OK;
}

struct make_data_call {
    const mjModel* model;
    mjData* data;
};

static void make_data_operation(void* context) {
    struct make_data_call* call = context;
    call->data = mj_makeData(call->model);
}

mjData* ntr_make_data(const mjModel* m, char* error, int error_size) {
    if (m == NULL) {
        fail_argument(error, error_size, "ntr_make_data: model is null");
        return NULL;
    }
    ensure_hooks();
    struct make_data_call call = { .model = m, .data = NULL };
    if (call_guarded(make_data_operation, &call, error, error_size) != NTR_OK) {
        return NULL;
    }
    mjData* data = call.data;
    if (data == NULL) {
        write_message(error, error_size, "mj_makeData returned null (out of memory?)");
    }
    return data;
}

void ntr_free_data(mjData* d) {
    if (d != NULL) {
        ensure_hooks();
        mj_deleteData(d);
    }
}

/* Runs one of the data operations below with MuJoCo errors caught. */
enum data_operation { OPERATION_RESET, OPERATION_STEP, OPERATION_FORWARD };

struct data_call {
    enum data_operation operation;
    const mjModel* model;
    mjData* data;
    int count;
};

static void run_data_operation(void* context) {
    const struct data_call* call = context;
    switch (call->operation) {
    case OPERATION_RESET:
        mj_resetData(call->model, call->data);
        break;
    case OPERATION_STEP:
        for (int i = 0; i < call->count; ++i) {
            mj_step(call->model, call->data);
        }
        break;
    case OPERATION_FORWARD:
        mj_forward(call->model, call->data);
        break;
    }
}

static int run_guarded(enum data_operation operation, const mjModel* m, mjData* d, int count, char* error,
                       int error_size) {
    ensure_hooks();
    struct data_call call = { .operation = operation, .model = m, .data = d, .count = count };
    return call_guarded(run_data_operation, &call, error, error_size);
}

int ntr_reset(const mjModel* m, mjData* d, char* error, int error_size) {
    if (m == NULL || d == NULL) {
        return fail_argument(error, error_size, "ntr_reset: model or data is null");
    }
    return run_guarded(OPERATION_RESET, m, d, 0, error, error_size);
}

int ntr_step(const mjModel* m, mjData* d, int count, char* error, int error_size) {
    if (m == NULL || d == NULL || count < 0) {
        return fail_argument(error, error_size, "ntr_step: model or data is null, or count is negative");
    }
    return run_guarded(OPERATION_STEP, m, d, count, error, error_size);
}

int ntr_forward(const mjModel* m, mjData* d, char* error, int error_size) {
    if (m == NULL || d == NULL) {
        return fail_argument(error, error_size, "ntr_forward: model or data is null");
    }
    return run_guarded(OPERATION_FORWARD, m, d, 0, error, error_size);
}

int ntr_name_to_id(const mjModel* m, int type, const char* name) {
    if (m == NULL || name == NULL) {
        return -1;
    }
    return mj_name2id(m, type, name);
}

int ntr_joint_qpos_address(const mjModel* m, int joint) {
    if (m == NULL || joint < 0 || joint >= m->njnt) {
        return NTR_E_ARGUMENT;
    }
    return m->jnt_qposadr[joint];
}

int ntr_joint_dof_address(const mjModel* m, int joint) {
    if (m == NULL || joint < 0 || joint >= m->njnt) {
        return NTR_E_ARGUMENT;
    }
    return m->jnt_dofadr[joint];
}

int ntr_body_mocap_id(const mjModel* m, int body) {
    if (m == NULL || body < 0 || body >= m->nbody) {
        return NTR_E_ARGUMENT;
    }
    return m->body_mocapid[body];
}

/* Resolves a field id to its storage, scalar length and writability. Returns 0 for an unknown field. */
static int resolve_field(const mjModel* m, const mjData* d, int field, mjtNum** storage, int* length, int* writable) {
    *writable = 1;
    switch (field) {
    case NTR_QPOS: *storage = d ? d->qpos : NULL; *length = m->nq; return 1;
    case NTR_QVEL: *storage = d ? d->qvel : NULL; *length = m->nv; return 1;
    case NTR_CTRL: *storage = d ? d->ctrl : NULL; *length = m->nu; return 1;
    case NTR_MOCAP_POS: *storage = d ? d->mocap_pos : NULL; *length = 3 * m->nmocap; return 1;
    case NTR_MOCAP_QUAT: *storage = d ? d->mocap_quat : NULL; *length = 4 * m->nmocap; return 1;
    case NTR_TIME: *storage = d ? (mjtNum*)&d->time : NULL; *length = 1; return 1;
    case NTR_BODY_POS: *storage = m->body_pos; *length = 3 * m->nbody; return 1;
    case NTR_BODY_QUAT: *storage = m->body_quat; *length = 4 * m->nbody; return 1;
    case NTR_EQ_DATA: *storage = m->eq_data; *length = mjNEQDATA * m->neq; return 1;
    case NTR_TIMESTEP: *storage = (mjtNum*)&m->opt.timestep; *length = 1; return 1;
    case NTR_SITE_POS: *storage = m->site_pos; *length = 3 * m->nsite; return 1;
    case NTR_GEOM_SIZE: *storage = m->geom_size; *length = 3 * m->ngeom; return 1;
    default: break;
    }
    *writable = 0;
    switch (field) {
    case NTR_XPOS: *storage = d ? d->xpos : NULL; *length = 3 * m->nbody; return 1;
    case NTR_XQUAT: *storage = d ? d->xquat : NULL; *length = 4 * m->nbody; return 1;
    case NTR_XIPOS: *storage = d ? d->xipos : NULL; *length = 3 * m->nbody; return 1;
    case NTR_SITE_XPOS: *storage = d ? d->site_xpos : NULL; *length = 3 * m->nsite; return 1;
    case NTR_SITE_XMAT: *storage = d ? d->site_xmat : NULL; *length = 9 * m->nsite; return 1;
    case NTR_GEOM_XPOS: *storage = d ? d->geom_xpos : NULL; *length = 3 * m->ngeom; return 1;
    case NTR_GEOM_XMAT: *storage = d ? d->geom_xmat : NULL; *length = 9 * m->ngeom; return 1;
    case NTR_QACC: *storage = d ? d->qacc : NULL; *length = m->nv; return 1;
    case NTR_ACTUATOR_FORCE: *storage = d ? d->actuator_force : NULL; *length = m->nu; return 1;
    case NTR_QPOS0: *storage = m->qpos0; *length = m->nq; return 1;
    default: return 0;
    }
}

int ntr_field_length(const mjModel* m, int field) {
    mjtNum* storage;
    int length;
    int writable;
    if (m == NULL || !resolve_field(m, NULL, field, &storage, &length, &writable)) {
        return NTR_E_ARGUMENT;
    }
    return length;
}

static int checked_storage(const mjModel* m, const mjData* d, int field, int start, int count, int for_write,
                           mjtNum** storage) {
    int length;
    int writable;
    if (m == NULL || !resolve_field(m, d, field, storage, &length, &writable) || *storage == NULL) {
        return NTR_E_ARGUMENT;
    }
    if (start < 0 || count < 0 || start > length || count > length - start) {
        return NTR_E_ARGUMENT;
    }
    if (for_write && !writable) {
        return NTR_E_ARGUMENT;
    }
    return NTR_OK;
}

int ntr_read(const mjModel* m, const mjData* d, int field, int start, int count, double* out) {
    mjtNum* storage;
    if (out == NULL && count > 0) {
        return NTR_E_ARGUMENT;
    }
    int status = checked_storage(m, d, field, start, count, 0, &storage);
    if (status == NTR_OK && count > 0) {
        memcpy(out, storage + start, sizeof(double) * (size_t)count);
    }
    return status;
}

int ntr_write(mjModel* m, mjData* d, int field, int start, int count, const double* values) {
    mjtNum* storage;
    if (values == NULL && count > 0) {
        return NTR_E_ARGUMENT;
    }
    int status = checked_storage(m, d, field, start, count, 1, &storage);
    if (status == NTR_OK && count > 0) {
        memcpy(storage + start, values, sizeof(double) * (size_t)count);
    }
    return status;
}

int ntr_warning_count(const mjData* d) {
    if (d == NULL) {
        return 0;
    }
    int total = 0;
    for (int i = 0; i < mjNWARNING; ++i) {
        total += d->warning[i].number;
    }
    return total;
}

int ntr_last_warning(char* buffer, int buffer_size) {
    int length = (int)strlen(tl_warning);
    write_message(buffer, buffer_size, tl_warning);
    return length;
}
