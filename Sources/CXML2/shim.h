#ifndef PARLEY_CXML2_H
#define PARLEY_CXML2_H
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
// The streaming reader (xmlTextReader): DOCX parts are walked without building a tree.
#include <libxml/xmlreader.h>
#endif
