#ifndef CUNIXODBC_SHIM_H
#define CUNIXODBC_SHIM_H

#include <sql.h>
#include <sqlext.h>

#endif
