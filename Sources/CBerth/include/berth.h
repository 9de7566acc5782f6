#ifndef BERTH_H
#define BERTH_H
/* Umbrella header for the C shim; each berth_x.h belongs to one x.c. */
#include "berth_child.h"
#include "berth_net.h"
#endif
