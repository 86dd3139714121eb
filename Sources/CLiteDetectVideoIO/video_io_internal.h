#ifndef CLITEDETECT_VIDEOIO_INTERNAL_H
#define CLITEDETECT_VIDEOIO_INTERNAL_H

#include "CLiteDetectVideoIO.h"
#include <libavformat/avformat.h>

/// Fills `report` with printf-style text and returns `status`, so failures read `return fail(...)`.
ldv_status ldv_fail(ldv_report *report, ldv_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// `what: FFmpeg's message for error` with the status that error code means.
ldv_status ldv_fail_av(ldv_report *report, int error, ldv_status fallback, const char *what);

/// Lowers FFmpeg's log level to fatal errors once per process, unless the process changed it.
void ldv_quiet_ffmpeg_log(void);

/// A read-only (output == 0) or write-only AVIOContext over a descriptor: no FFmpeg protocol.
AVIOContext *ldv_descriptor_io(int fd, int output);
void ldv_descriptor_io_free(AVIOContext **io);

/// Installed as AVFormatContext.io_open: refuses every further file or URL a container asks for.
int ldv_refuse_nested_open(struct AVFormatContext *context, AVIOContext **io, const char *url, int flags,
                           AVDictionary **options);

/// Copies one audio packet of the reader's audio stream into the writer's file. `time_base` is the
/// packet's; `shift` (in that base) is subtracted from its timestamps. Errors are kept by the
/// writer and reported by its next call.
void ldv_writer_forward_audio(ldv_writer *writer, const AVPacket *packet, AVRational time_base, int64_t shift);
/// The writer stops receiving audio (its reader is closing).
void ldv_writer_detach_audio(ldv_writer *writer);
/// The reader stops forwarding audio (its writer is closing).
void ldv_reader_detach_audio(ldv_reader *reader);
/// The reader's audio stream (NULL when it has none), and its range cut, for a writer to copy.
const AVStream *ldv_reader_audio_stream(const ldv_reader *reader);
void ldv_reader_attach_audio(ldv_reader *reader, ldv_writer *writer);

#endif
