#ifndef PARLEY_CMAGIC_H
#define PARLEY_CMAGIC_H
#include <magic.h>
#endif
