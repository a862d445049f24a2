/*
 * ntr_mujoco: a small C shim over the MuJoCo 2.2.2 C API for the NativeTrustRegion control suite.
 *
 * Why a shim instead of direct P/Invoke into libmujoco:
 *   - mjModel/mjData field offsets change with every MuJoCo release; the shim reads them by name at compile time.
 *   - MuJoCo's default error handler calls exit(). The shim installs mju_user_error/mju_user_warning hooks and
 *     turns errors into return codes plus a message (a bad MJCF or a failing step never ends the host process).
 *
 * Conventions:
 *   - Functions returning int return NTR_OK (0) on success and a negative NTR_E* code on failure; when an error
 *     buffer is passed, it receives a NUL-terminated message.
 *   - Array access goes through ntr_read/ntr_write with a field id, a start index (in scalars) and a count; the
 *     shim checks the bounds against the model sizes.
 *   - Thread safety: separate model/data pairs may be used from separate threads. Model loading is serialised.
 */
#ifndef NTR_MUJOCO_H
#define NTR_MUJOCO_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NTR_API __declspec(dllexport)
#else
#define NTR_API __attribute__((visibility("default")))
#endif

typedef struct mjModel_ mjModel;
typedef struct mjData_ mjData;

/* Version of this shim's ABI; bump when a signature or a field id changes. */
#define NTR_SHIM_ABI_VERSION 1

enum ntr_status {
    NTR_OK = 0,
    NTR_E_MUJOCO = -1,      /* MuJoCo raised an error (message in the error buffer) */
    NTR_E_ARGUMENT = -2,    /* null pointer, bad field id or out-of-range index */
    NTR_E_LOAD = -3         /* model could not be compiled (message in the error buffer) */
};

/* Array fields reachable through ntr_read / ntr_write. Values are part of the ABI. */
enum ntr_field {
    /* mjData */
    NTR_QPOS = 0,          /* nq */
    NTR_QVEL = 1,          /* nv */
    NTR_CTRL = 2,          /* nu */
    NTR_MOCAP_POS = 3,     /* nmocap x 3 */
    NTR_MOCAP_QUAT = 4,    /* nmocap x 4, (w,x,y,z) */
    NTR_XPOS = 5,          /* nbody x 3, body frame position (read only) */
    NTR_XQUAT = 6,         /* nbody x 4, body frame orientation (read only) */
    NTR_XIPOS = 7,         /* nbody x 3, body centre of mass (read only) */
    NTR_SITE_XPOS = 8,     /* nsite x 3 (read only) */
    NTR_SITE_XMAT = 9,     /* nsite x 9, row-major rotation (read only) */
    NTR_GEOM_XPOS = 10,    /* ngeom x 3 (read only) */
    NTR_GEOM_XMAT = 11,    /* ngeom x 9 (read only) */
    NTR_TIME = 12,         /* 1 */
    NTR_QACC = 13,         /* nv (read only) */
    NTR_ACTUATOR_FORCE = 14, /* nu (read only) */
    /* mjModel */
    NTR_BODY_POS = 32,     /* nbody x 3, position relative to the parent body */
    NTR_BODY_QUAT = 33,    /* nbody x 4 */
    NTR_EQ_DATA = 34,      /* neq x 11 (MuJoCo 2.2.2 weld: anchor 3, relpos 3, relquat 4, torquescale 1) */
    NTR_TIMESTEP = 35,     /* 1 */
    NTR_SITE_POS = 36,     /* nsite x 3 */
    NTR_GEOM_SIZE = 37,    /* ngeom x 3 */
    NTR_QPOS0 = 38         /* nq (read only) */
};

/* Model sizes, filled by ntr_model_sizes. Layout is part of the ABI. */
typedef struct ntr_sizes {
    int nq, nv, nu, nbody, njnt, ngeom, nsite, neq, nmocap, nkey;
} ntr_sizes;

NTR_API int ntr_abi_version(void);
/* MuJoCo library version as reported by mj_version() (222 for 2.2.2). */
NTR_API int ntr_mujoco_version(void);
/* MuJoCo header version the shim was compiled against. */
NTR_API int ntr_mujoco_header_version(void);

NTR_API mjModel* ntr_load_xml_file(const char* path, char* error, int error_size);
NTR_API mjModel* ntr_load_xml_string(const char* xml, char* error, int error_size);
NTR_API void ntr_free_model(mjModel* m);
NTR_API int ntr_model_sizes(const mjModel* m, ntr_sizes* out);

NTR_API mjData* ntr_make_data(const mjModel* m, char* error, int error_size);
NTR_API void ntr_free_data(mjData* d);

NTR_API int ntr_reset(const mjModel* m, mjData* d, char* error, int error_size);
NTR_API int ntr_step(const mjModel* m, mjData* d, int count, char* error, int error_size);
NTR_API int ntr_forward(const mjModel* m, mjData* d, char* error, int error_size);

/* mj_name2id; returns -1 when not found. type uses mjtObj values (body 1, joint 3, geom 5, site 6, ...). */
NTR_API int ntr_name_to_id(const mjModel* m, int type, const char* name);
/* Per-object model integers: qpos/dof address of a joint, mocap id of a body (-1 when not mocap). */
NTR_API int ntr_joint_qpos_address(const mjModel* m, int joint);
NTR_API int ntr_joint_dof_address(const mjModel* m, int joint);
NTR_API int ntr_body_mocap_id(const mjModel* m, int body);

/* Total scalar length of a field for this model/data, or NTR_E_ARGUMENT for an unknown field. */
NTR_API int ntr_field_length(const mjModel* m, int field);
NTR_API int ntr_read(const mjModel* m, const mjData* d, int field, int start, int count, double* out);
NTR_API int ntr_write(mjModel* m, mjData* d, int field, int start, int count, const double* values);

/* Count of MuJoCo warnings of any kind raised in this data since the last reset. */
NTR_API int ntr_warning_count(const mjData* d);
/* Copies the most recent warning text raised on the calling thread; returns its length (0 when none). */
NTR_API int ntr_last_warning(char* buffer, int buffer_size);

#ifdef __cplusplus
}
#endif

#endif /* NTR_MUJOCO_H */
