#ifndef PARLEY_CZLIB_H
#define PARLEY_CZLIB_H
#include <zlib.h>

// inflateInit2 and deflateInit2 are macros (they pass the library version and struct size),
// which Swift cannot call: these wrappers expand them.
static inline int parley_inflate_init_raw(z_stream *stream) { return inflateInit2(stream, -MAX_WBITS); }
static inline int parley_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}
#endif
