#ifndef BERTH_H
#define BERTH_H
/* Umbrella header for the C shim; each berth_x.h belongs to one x.c. */
#include "berth_child.h"
#include "berth_devices.h"
#include "berth_exec.h"
#include "berth_fd.h"
#include "berth_fs.h"
#include "berth_net.h"
#include "berth_proc.h"
#include "berth_pty.h"
#include "berth_security.h"
#include "berth_step.h"
#include "berth_sys.h"
#endif
