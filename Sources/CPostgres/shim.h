#ifndef VERDICT_CPOSTGRES_SHIM_H
#define VERDICT_CPOSTGRES_SHIM_H
#include <postgresql/libpq-fe.h>
#endif
