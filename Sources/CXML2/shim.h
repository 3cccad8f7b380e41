#ifndef PARLEY_CXML2_H
#define PARLEY_CXML2_H
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#endif
