#ifndef BERTH_CHILD_H
#define BERTH_CHILD_H
int berth_placeholder(void);
#endif
