void copy(char *d, const char *s)
{
    strcpy(d, s); // TODO: bound it
}
