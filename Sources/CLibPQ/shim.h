#ifndef PARLEY_CLIBPQ_H
#define PARLEY_CLIBPQ_H
#include <libpq-fe.h>
#endif
