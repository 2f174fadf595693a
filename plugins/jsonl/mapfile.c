/* mapfile.c -- see mapfile.h. */
#include "mapfile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages behind the reader go a megabyte at a time: the mapping then adds
 * about that to the resident size, whatever the size of the file. */
#define RELEASE_EVERY ((size_t)1 << 20)

int mapfile_open(mapfile *m, const char *path)
{
    *m = (mapfile){0};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    void *p = MAP_FAILED;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
        p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd); /* the mapping keeps the file */
    if (p == MAP_FAILED)
        return -1;
    madvise(p, (size_t)sb.st_size, MADV_SEQUENTIAL); /* a hint: read ahead further, drop behind */
    m->p = p;
    m->len = (size_t)sb.st_size;
    return 0;
}

void mapfile_release(mapfile *m, size_t upto)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), to = upto / page * page;
    if (!m->p || to < m->released + RELEASE_EVERY)
        return;
    madvise((char *)m->p + m->released, to - m->released, MADV_DONTNEED);
    m->released = to;
}

void mapfile_close(mapfile *m)
{
    if (m->p)
        munmap((void *)m->p, m->len);
    *m = (mapfile){0};
}
