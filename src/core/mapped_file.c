#include "core/mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

mobinfer_status mbi_mapped_file_open(mbi_mapped_file *f, const char *path, uint64_t max_bytes,
                                     mbi_error *err)
{
    f->data = NULL;
    f->size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mbi_fail(err, MOBINFER_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return mbi_fail(err, MOBINFER_ERR_IO, "cannot stat '%s': %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return mbi_fail(err, MOBINFER_ERR_IO, "'%s' is not a regular file", path);
    }
    if ((uint64_t)st.st_size > max_bytes) {
        close(fd);
        return mbi_fail(err, MOBINFER_ERR_LIMIT,
                        "'%s' has %lld bytes, more than the limit of %llu", path,
                        (long long)st.st_size, (unsigned long long)max_bytes);
    }
    if (st.st_size == 0) {
        close(fd);
        return MOBINFER_OK;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    int e = errno;
    close(fd);
    if (p == MAP_FAILED)
        return mbi_fail(err, MOBINFER_ERR_IO, "cannot map '%s': %s", path, strerror(e));
    f->data = p;
    f->size = (size_t)st.st_size;
    return MOBINFER_OK;
}

void mbi_mapped_file_close(mbi_mapped_file *f)
{
    if (f && f->data)
        munmap((void *)f->data, f->size);
    if (f) {
        f->data = NULL;
        f->size = 0;
    }
}
