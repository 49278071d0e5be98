#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>

#include "CFileSystem.h"

int meshscript_syncfs(int fd) {
#if defined(__linux__)
    return syncfs(fd);
#else
    (void)fd;
    errno = ENOSYS;
    return -1;
#endif
}
