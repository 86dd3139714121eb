#include "video_io_internal.h"

#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>

ldv_status ldv_fail(ldv_report *report, ldv_status status, const char *format, ...) {
    if (report) {
        va_list arguments;
        va_start(arguments, format);
        vsnprintf(report->message, sizeof report->message, format, arguments);
        va_end(arguments);
    }
    return status;
}

ldv_status ldv_fail_av(ldv_report *report, int error, ldv_status fallback, const char *what) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {0};
    av_strerror(error, text, sizeof text);
    ldv_status status = fallback;
    if (error == AVERROR(ENOMEM))
        status = LDV_OUT_OF_MEMORY;
    else if (error == AVERROR_INVALIDDATA || error == AVERROR_EOF)
        status = LDV_CORRUPT;
    else if (error == AVERROR_DECODER_NOT_FOUND || error == AVERROR_DEMUXER_NOT_FOUND ||
             error == AVERROR_ENCODER_NOT_FOUND || error == AVERROR_PATCHWELCOME)
        status = LDV_UNSUPPORTED;
    else if (error == AVERROR(EIO) || error == AVERROR(ENOSPC) || error == AVERROR(EPIPE))
        status = LDV_IO;
    return ldv_fail(report, status, "%s: %s", what, text);
}

static void quiet(void) {
    // Every failure reaches the caller as an ldv_status and message; FFmpeg's own lines on
    // standard error ("concealing 80 DC errors…") would only interleave with the caller's output.
    // A process that configured FFmpeg's log level itself keeps it.
    if (av_log_get_level() == AV_LOG_INFO) av_log_set_level(AV_LOG_FATAL);
}

void ldv_quiet_ffmpeg_log(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, quiet);
}
