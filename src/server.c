#include "kairos/server.h"
#include <stdio.h>
int server_main(char **child_argv)
{
	(void)child_argv;
	return 1;
}
