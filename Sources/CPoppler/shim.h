#ifndef PARLEY_CPOPPLER_H
#define PARLEY_CPOPPLER_H
#include <poppler.h>
#include <glib.h>
#endif
