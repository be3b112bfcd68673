#ifndef VERDICT_CLIBXML2_SHIM_H
#define VERDICT_CLIBXML2_SHIM_H
// libxml2 built with ICU exposes ICU types that clash with the copy Foundation carries;
// Verdict never needs libxml2's ICU encoders, so the flag is dropped before the other headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>
#endif
