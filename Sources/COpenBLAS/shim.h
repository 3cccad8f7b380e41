#ifndef PARLEY_COPENBLAS_H
#define PARLEY_COPENBLAS_H
#include <cblas.h>
#endif
