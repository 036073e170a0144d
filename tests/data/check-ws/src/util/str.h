#define COPY(d, s) strcpy(d, s)
