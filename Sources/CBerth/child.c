#include "berth_child.h"
int berth_placeholder(void) { return 0; }
