#ifndef PARLEY_CSTEMMER_H
#define PARLEY_CSTEMMER_H
// Snowball stemmers (Debian's libstemmer). No pkg-config file ships with it; the header and the
// library are in the default paths.
#include <libstemmer.h>
#endif
