#ifndef PARLEY_COPENBLAS_H
#define PARLEY_COPENBLAS_H
/* OpenBLAS is loaded with dlopen on first use (Embed/Model/OpenBLAS.swift), never linked: its
 * load-time constructor starts worker threads with no signals blocked, and a process-directed
 * SIGHUP or SIGTERM delivered to one of them would kill the supervisor or a worker outright
 * (their signal handling relies on every thread blocking those signals). cblas.h is included
 * only for its types and enums; these are the signatures looked up with dlsym. */
#include <cblas.h>

typedef void (*parley_sgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE,
                                blasint, blasint, blasint, float, const float *, blasint,
                                const float *, blasint, float, float *, blasint);
typedef void (*parley_set_threads_fn)(int);
#endif
