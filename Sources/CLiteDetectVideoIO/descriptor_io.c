// FFmpeg reads and writes the caller's descriptor through these callbacks instead of opening a
// path itself: what was opened and checked (a regular file) is what gets read, and no protocol
// (http, pipe, concat…) can be reached through a crafted file.
#include "video_io_internal.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

/// AVIOContext's buffer; FFmpeg's own default for files.
enum { buffer_size = 32 << 10 };

typedef struct {
    int fd;
} descriptor;

static int read_packet(void *opaque, uint8_t *buffer, int size) {
    const descriptor *source = opaque;
    for (;;) {
        ssize_t count = read(source->fd, buffer, (size_t)size);
        if (count > 0) return (int)count;
        if (count == 0) return AVERROR_EOF;
        if (errno != EINTR) return AVERROR(errno);
    }
}

static int write_packet(void *opaque, uint8_t *buffer, int size) {
    const descriptor *destination = opaque;
    int written = 0;
    while (written < size) {
        ssize_t count = write(destination->fd, buffer + written, (size_t)(size - written));
        if (count < 0) {
            if (errno == EINTR) continue;
            return AVERROR(errno);
        }
        written += (int)count;
    }
    return written;
}

static int64_t seek(void *opaque, int64_t offset, int whence) {
    const descriptor *file = opaque;
    if (whence & AVSEEK_SIZE) {
        struct stat status;
        if (fstat(file->fd, &status) != 0) return AVERROR(errno);
        return S_ISREG(status.st_mode) ? (int64_t)status.st_size : AVERROR(ENOSYS);
    }
    off_t position = lseek(file->fd, (off_t)offset, whence & ~AVSEEK_FORCE);
    return position < 0 ? AVERROR(errno) : (int64_t)position;
}

AVIOContext *ldv_descriptor_io(int fd, int output) {
    descriptor *file = av_malloc(sizeof *file);
    uint8_t *buffer = av_malloc(buffer_size);
    if (!file || !buffer) {
        av_free(file);
        av_free(buffer);
        return NULL;
    }
    file->fd = fd;
    AVIOContext *io = avio_alloc_context(buffer, buffer_size, output ? 1 : 0, file, output ? NULL : read_packet,
                                         output ? write_packet : NULL, seek);
    if (!io) {
        av_free(file);
        av_free(buffer);
    }
    return io;
}

void ldv_descriptor_io_free(AVIOContext **io) {
    if (!*io) return;
    av_freep(&(*io)->opaque);
    av_freep(&(*io)->buffer);
    avio_context_free(io);
}

int ldv_refuse_nested_open(struct AVFormatContext *context, AVIOContext **io, const char *url, int flags,
                           AVDictionary **options) {
    (void)flags;
    (void)options;
    (void)io;
    av_log(context, AV_LOG_ERROR, "refusing to open \"%s\": LiteDetect reads only the file it was given\n", url);
    return AVERROR(EPERM);
}
