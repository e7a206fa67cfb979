#include "placeholder.h"
int cdistembedproto_placeholder(void) { return 0; }
