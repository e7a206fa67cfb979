// Placeholder until the protoc-c output is generated.
int cdistembedproto_placeholder(void);
