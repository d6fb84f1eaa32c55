#ifndef FLEET_CZLIB_SHIM_H
#define FLEET_CZLIB_SHIM_H
#include <zlib.h>
#endif
