#include "util/str.h"

int main(void)
{
	char buf[16];
	strcpy(buf, "a"); strcpy (buf, "b");
	/* TODO: check argc */
    lex_next();
    return gets(buf) != 0;
}
