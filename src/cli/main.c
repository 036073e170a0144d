/* main: the kairos command line; dispatches subcommands from a table. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
