// Demuxing and decoding one video stream, frame by frame, with the audio packets passed on to a
// writer that copies them.
#include "video_io_internal.h"

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <string.h>

struct ldv_reader {
    AVFormatContext *format;
    AVIOContext *io;
    AVCodecContext *decoder;
    AVPacket *packet;
    AVFrame *frame;
    int video_index;
    int audio_index;
    /// The file's start (FFmpeg's start_time) in the video and audio streams' time bases.
    int64_t video_offset;
    int64_t audio_offset;
    int64_t max_pixels;
    /// Frames are handed out from start to end (microseconds from the file's start).
    int64_t start_us, end_us;
    int range_set;
    int64_t frames_out;
    int draining;
    int finished;
    /// Announced by the container; checked at the end when the whole file was read.
    int64_t announced_frames;
    int check_frame_count;
    /// Conversion to I420 for layouts not read directly.
    struct SwsContext *scaler;
    uint8_t *converted[4];
    int converted_rows[4];
    int converted_width, converted_height;
    ldv_writer *audio_sink;
};

static ldv_pixels direct_layout(const AVFrame *frame, int *ok) {
    *ok = frame->color_range != AVCOL_RANGE_JPEG;
    switch (frame->format) {
    case AV_PIX_FMT_YUV420P:
        return LDV_PIXELS_I420;
    case AV_PIX_FMT_NV12:
        return LDV_PIXELS_NV12;
    case AV_PIX_FMT_YUV422P:
        return LDV_PIXELS_I422;
    case AV_PIX_FMT_YUV444P:
        return LDV_PIXELS_I444;
    default:
        *ok = 0;
        return LDV_PIXELS_I420;
    }
}

static ldv_status too_large(ldv_report *report, int width, int height) {
    if (report) {
        report->width = width;
        report->height = height;
    }
    return ldv_fail(report, LDV_TOO_LARGE, "frames of %dx%d pixels are over the limit", width, height);
}

static void copy_name(char destination[LDV_NAME_CAPACITY], const char *name) {
    snprintf(destination, LDV_NAME_CAPACITY, "%s", name ? name : "unknown");
}

ldv_status ldv_reader_open(int fd, int64_t max_pixels, int32_t threads, ldv_reader **result, ldv_stream_info *info,
                           ldv_report *report) {
    ldv_quiet_ffmpeg_log();
    *result = NULL;
    memset(info, 0, sizeof *info);
    if (fd < 0 || max_pixels < 1 || threads < 0)
        return ldv_fail(report, LDV_INVALID_ARGUMENT, "invalid descriptor, pixel limit or thread count");
    ldv_reader *reader = av_mallocz(sizeof *reader);
    if (!reader) return ldv_fail(report, LDV_OUT_OF_MEMORY, "out of memory");
    reader->max_pixels = max_pixels;
    reader->end_us = INT64_MAX;
    reader->audio_index = -1;
    ldv_status status = LDV_OUT_OF_MEMORY;
    int error;

    reader->io = ldv_descriptor_io(fd, 0);
    reader->format = avformat_alloc_context();
    reader->packet = av_packet_alloc();
    reader->frame = av_frame_alloc();
    if (!reader->io || !reader->format || !reader->packet || !reader->frame) {
        status = ldv_fail(report, LDV_OUT_OF_MEMORY, "out of memory");
        goto failed;
    }
    reader->format->pb = reader->io;
    reader->format->flags |= AVFMT_FLAG_CUSTOM_IO;
    // Containers that are lists of other files (HLS, concat, image sequences) open them through
    // io_open: refused, so nothing beyond what the caller opened is ever read.
    reader->format->io_open = ldv_refuse_nested_open;
    if ((error = avformat_open_input(&reader->format, "", NULL, NULL)) < 0) {
        // avformat_open_input frees the context on failure.
        reader->format = NULL;
        status = ldv_fail_av(report, error, LDV_NOT_MEDIA, "not a video file FFmpeg can read");
        if (error == AVERROR_INVALIDDATA || error == AVERROR_EOF) status = LDV_NOT_MEDIA;
        goto failed;
    }
    // FFmpeg reads a JPEG or PNG as a one-frame video ("jpeg_pipe"…): a user who passed one meant an image.
    const char *demuxer = reader->format->iformat->name;
    size_t length = strlen(demuxer);
    if (length > 5 && !strcmp(demuxer + length - 5, "_pipe")) {
        status =
            ldv_fail(report, LDV_NOT_MEDIA,
                     "a still image (FFmpeg's %s reader); detect in images with `detect images` or ImageFile", demuxer);
        goto failed;
    }
    // Sizes the headers claim are checked before FFmpeg decodes anything to learn more.
    for (unsigned i = 0; i < reader->format->nb_streams; i++) {
        const AVCodecParameters *claimed = reader->format->streams[i]->codecpar;
        if (claimed->codec_type == AVMEDIA_TYPE_VIDEO && (int64_t)claimed->width * claimed->height > max_pixels) {
            status = too_large(report, claimed->width, claimed->height);
            goto failed;
        }
    }
    if ((error = avformat_find_stream_info(reader->format, NULL)) < 0) {
        status = ldv_fail_av(report, error, LDV_CORRUPT, "cannot read the streams");
        goto failed;
    }
    const AVCodec *codec = NULL;
    reader->video_index = av_find_best_stream(reader->format, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (reader->video_index == AVERROR_STREAM_NOT_FOUND) {
        status =
            ldv_fail(report, LDV_NO_VIDEO_STREAM, "the %s file has no video stream", reader->format->iformat->name);
        goto failed;
    }
    AVStream *stream = reader->format->streams[reader->video_index >= 0 ? reader->video_index : 0];
    if (reader->video_index < 0 || !codec) {
        status = ldv_fail(report, LDV_UNSUPPORTED, "FFmpeg has no decoder for its %s video",
                          avcodec_get_name(stream->codecpar->codec_id));
        goto failed;
    }
    const AVCodecParameters *parameters = stream->codecpar;
    if (parameters->width <= 0 || parameters->height <= 0) {
        status = ldv_fail(report, LDV_CORRUPT, "the video stream has no frame size");
        goto failed;
    }
    if ((int64_t)parameters->width * parameters->height > max_pixels) {
        status = too_large(report, parameters->width, parameters->height);
        goto failed;
    }
    int audio = av_find_best_stream(reader->format, AVMEDIA_TYPE_AUDIO, -1, reader->video_index, NULL, 0);
    reader->audio_index = audio >= 0 ? audio : -1;
    // Only the streams used are demuxed into packets.
    for (unsigned i = 0; i < reader->format->nb_streams; i++) {
        if ((int)i != reader->video_index && (int)i != reader->audio_index)
            reader->format->streams[i]->discard = AVDISCARD_ALL;
    }

    reader->decoder = avcodec_alloc_context3(codec);
    if (!reader->decoder) goto failed;
    if ((error = avcodec_parameters_to_context(reader->decoder, parameters)) < 0) {
        status = ldv_fail_av(report, error, LDV_UNSUPPORTED, "cannot configure the decoder");
        goto failed;
    }
    reader->decoder->max_pixels = max_pixels;
    reader->decoder->thread_count = threads;
    // Damage is an error, not something to conceal: the caller learns which frame broke.
    reader->decoder->err_recognition |= AV_EF_EXPLODE;
    reader->decoder->pkt_timebase = stream->time_base;
    if ((error = avcodec_open2(reader->decoder, codec, NULL)) < 0) {
        status = ldv_fail_av(report, error, LDV_UNSUPPORTED, "cannot open the decoder");
        goto failed;
    }

    int64_t start = reader->format->start_time != AV_NOPTS_VALUE ? reader->format->start_time : 0;
    reader->video_offset = av_rescale_q(start, AV_TIME_BASE_Q, stream->time_base);
    if (reader->audio_index >= 0) {
        reader->audio_offset =
            av_rescale_q(start, AV_TIME_BASE_Q, reader->format->streams[reader->audio_index]->time_base);
    }
    // MP4/MOV index every sample, so a file with fewer frames than its index lists is truncated.
    // Other containers' counts are estimates (AVI counts skipped frames), so they are not checked.
    reader->announced_frames = stream->nb_frames > 0 ? stream->nb_frames : 0;
    reader->check_frame_count = strstr(reader->format->iformat->name, "mp4") != NULL;

    info->width = parameters->width;
    info->height = parameters->height;
    AVRational rate = stream->avg_frame_rate.num > 0 && stream->avg_frame_rate.den > 0 ? stream->avg_frame_rate
                                                                                       : stream->r_frame_rate;
    if (rate.num > 0 && rate.den > 0) {
        info->frame_rate_num = rate.num;
        info->frame_rate_den = rate.den;
    }
    info->time_base_num = stream->time_base.num;
    info->time_base_den = stream->time_base.den;
    info->duration_us = reader->format->duration != AV_NOPTS_VALUE ? reader->format->duration : -1;
    info->frame_count = reader->announced_frames;
    info->has_audio = reader->audio_index >= 0;
    copy_name(info->container, reader->format->iformat->name);
    copy_name(info->codec, avcodec_get_name(parameters->codec_id));
    copy_name(info->pixel_format, av_get_pix_fmt_name(reader->decoder->pix_fmt));
    *result = reader;
    return LDV_OK;

failed:
    ldv_reader_close(reader);
    return status;
}

ldv_status ldv_reader_set_range(ldv_reader *reader, int64_t start_us, int64_t end_us, ldv_report *report) {
    if (reader->range_set || reader->frames_out > 0 || start_us < 0 || end_us <= start_us) {
        return ldv_fail(report, LDV_INVALID_ARGUMENT,
                        "the range must be set once, before the first frame, with start < end");
    }
    reader->range_set = 1;
    reader->start_us = start_us;
    reader->end_us = end_us;
    if (start_us > 0) {
        int64_t file_start = reader->format->start_time != AV_NOPTS_VALUE ? reader->format->start_time : 0;
        // To the key frame at or before the start; frames from there to the start are decoded and dropped.
        // A container that cannot seek is read from its beginning instead.
        if (av_seek_frame(reader->format, -1, file_start + start_us, AVSEEK_FLAG_BACKWARD) >= 0)
            avcodec_flush_buffers(reader->decoder);
    }
    return LDV_OK;
}

/// Microseconds from the file's start of a timestamp of stream `index`, minus that stream's offset.
static int64_t microseconds(const ldv_reader *reader, int64_t pts, int64_t offset, int index) {
    return av_rescale_q(pts - offset, reader->format->streams[index]->time_base, AV_TIME_BASE_Q);
}

static void forward_audio(ldv_reader *reader, const AVPacket *packet) {
    if (!reader->audio_sink || packet->pts == AV_NOPTS_VALUE) return;
    int64_t at = microseconds(reader, packet->pts, reader->audio_offset, reader->audio_index);
    if (at < reader->start_us || at >= reader->end_us) return;
    AVRational base = reader->format->streams[reader->audio_index]->time_base;
    int64_t shift = reader->audio_offset + av_rescale_q(reader->start_us, AV_TIME_BASE_Q, base);
    ldv_writer_forward_audio(reader->audio_sink, packet, base, shift);
}

/// Hands out `frame` directly or converted; LDV_OK.
static ldv_status describe(ldv_reader *reader, ldv_frame *out, ldv_report *report) {
    AVFrame *frame = reader->frame;
    if ((int64_t)frame->width * frame->height > reader->max_pixels) {
        return too_large(report, frame->width, frame->height);
    }
    int direct;
    out->format = direct_layout(frame, &direct);
    out->width = frame->width;
    out->height = frame->height;
    out->converted = !direct;
    int chroma_rows = (frame->height + 1) / 2;
    if (direct) {
        int planes = out->format == LDV_PIXELS_NV12 ? 2 : 3;
        for (int i = 0; i < 3; i++) {
            out->planes[i] = i < planes ? frame->data[i] : NULL;
            out->bytes_per_row[i] = i < planes ? frame->linesize[i] : 0;
            int rows = i == 0 || out->format == LDV_PIXELS_I422 || out->format == LDV_PIXELS_I444 ? frame->height
                                                                                                  : chroma_rows;
            out->plane_bytes[i] = i < planes ? (int64_t)frame->linesize[i] * rows : 0;
            if (i < planes && frame->linesize[i] <= 0)
                return ldv_fail(report, LDV_UNSUPPORTED, "the decoder stores rows bottom-up");
        }
        return LDV_OK;
    }
    // Full-range YUV is brought to limited range, other layouts to 4:2:0, as FFmpeg's `scale` filter
    // does when the `ffmpeg` program is asked for -pix_fmt yuv420p (bicubic, the program's default).
    enum AVPixelFormat source = frame->format;
    reader->scaler = sws_getCachedContext(reader->scaler, frame->width, frame->height, source, frame->width,
                                          frame->height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, NULL, NULL, NULL);
    if (!reader->scaler) {
        return ldv_fail(report, LDV_UNSUPPORTED, "cannot convert %s frames", av_get_pix_fmt_name(source));
    }
    const AVPixFmtDescriptor *descriptor = av_pix_fmt_desc_get(source);
    int full_range = frame->color_range == AVCOL_RANGE_JPEG || source == AV_PIX_FMT_YUVJ420P ||
                     source == AV_PIX_FMT_YUVJ422P || source == AV_PIX_FMT_YUVJ444P ||
                     (descriptor && (descriptor->flags & AV_PIX_FMT_FLAG_RGB));
    const int *coefficients = sws_getCoefficients(SWS_CS_DEFAULT);
    sws_setColorspaceDetails(reader->scaler, coefficients, full_range, coefficients, 0, 0, 1 << 16, 1 << 16);
    if (frame->width != reader->converted_width || frame->height != reader->converted_height) {
        av_freep(&reader->converted[0]);
        int linesizes[4];
        if (av_image_alloc(reader->converted, linesizes, frame->width, frame->height, AV_PIX_FMT_YUV420P, 32) < 0) {
            reader->converted_width = reader->converted_height = 0;
            return ldv_fail(report, LDV_OUT_OF_MEMORY, "out of memory");
        }
        memcpy(reader->converted_rows, linesizes, sizeof linesizes);
        reader->converted_width = frame->width;
        reader->converted_height = frame->height;
    }
    sws_scale(reader->scaler, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, reader->converted,
              reader->converted_rows);
    out->format = LDV_PIXELS_I420;
    for (int i = 0; i < 3; i++) {
        out->planes[i] = reader->converted[i];
        out->bytes_per_row[i] = reader->converted_rows[i];
        out->plane_bytes[i] = (int64_t)reader->converted_rows[i] * (i == 0 ? frame->height : chroma_rows);
    }
    return LDV_OK;
}

ldv_status ldv_reader_next(ldv_reader *reader, ldv_frame *out, ldv_report *report) {
    if (reader->finished) return LDV_END;
    AVStream *stream = reader->format->streams[reader->video_index];
    for (;;) {
        int error = avcodec_receive_frame(reader->decoder, reader->frame);
        if (error == 0) {
            if (reader->frame->decode_error_flags || (reader->frame->flags & AV_FRAME_FLAG_CORRUPT)) {
                return ldv_fail(report, LDV_CORRUPT, "the decoder reports a damaged frame");
            }
            int64_t pts = reader->frame->best_effort_timestamp;
            int64_t relative = pts == AV_NOPTS_VALUE ? INT64_MIN : pts - reader->video_offset;
            if (relative != INT64_MIN) {
                int64_t at = av_rescale_q(relative, stream->time_base, AV_TIME_BASE_Q);
                if (at < reader->start_us) continue;
                if (at >= reader->end_us) {
                    reader->finished = 1;
                    return LDV_END;
                }
            }
            ldv_status status = describe(reader, out, report);
            if (status != LDV_OK) return status;
            out->pts = relative;
            out->index = reader->frames_out++;
            return LDV_OK;
        }
        if (error == AVERROR_EOF) {
            reader->finished = 1;
            if (reader->check_frame_count && !reader->range_set && reader->announced_frames > 0 &&
                reader->frames_out < reader->announced_frames) {
                return ldv_fail(report, LDV_CORRUPT, "the file ends after %lld of the %lld frames its header announces",
                                (long long)reader->frames_out, (long long)reader->announced_frames);
            }
            return LDV_END;
        }
        if (error != AVERROR(EAGAIN)) return ldv_fail_av(report, error, LDV_CORRUPT, "decoding failed");
        if (reader->draining) return ldv_fail(report, LDV_CORRUPT, "the decoder stalled while draining");

        // The decoder wants input: the next packet of the video stream (audio ones go to the writer).
        for (;;) {
            error = av_read_frame(reader->format, reader->packet);
            if (error == AVERROR_EOF) {
                reader->draining = 1;
                avcodec_send_packet(reader->decoder, NULL);
                break;
            }
            if (error < 0) return ldv_fail_av(report, error, LDV_CORRUPT, "reading the file failed");
            if (reader->packet->flags & AV_PKT_FLAG_CORRUPT) {
                av_packet_unref(reader->packet);
                return ldv_fail(report, LDV_CORRUPT, "the file is truncated or damaged (a packet is incomplete)");
            }
            if (reader->packet->stream_index == reader->audio_index) {
                forward_audio(reader, reader->packet);
                av_packet_unref(reader->packet);
                continue;
            }
            if (reader->packet->stream_index != reader->video_index) {
                av_packet_unref(reader->packet);
                continue;
            }
            error = avcodec_send_packet(reader->decoder, reader->packet);
            av_packet_unref(reader->packet);
            if (error < 0 && error != AVERROR(EAGAIN))
                return ldv_fail_av(report, error, LDV_CORRUPT, "decoding failed");
            break;
        }
    }
}

const AVStream *ldv_reader_audio_stream(const ldv_reader *reader) {
    return reader->audio_index >= 0 ? reader->format->streams[reader->audio_index] : NULL;
}

void ldv_reader_attach_audio(ldv_reader *reader, ldv_writer *writer) { reader->audio_sink = writer; }

void ldv_reader_detach_audio(ldv_reader *reader) { reader->audio_sink = NULL; }

void ldv_reader_close(ldv_reader *reader) {
    if (!reader) return;
    if (reader->audio_sink) ldv_writer_detach_audio(reader->audio_sink);
    sws_freeContext(reader->scaler);
    av_freep(&reader->converted[0]);
    av_frame_free(&reader->frame);
    av_packet_free(&reader->packet);
    avcodec_free_context(&reader->decoder);
    avformat_close_input(&reader->format);
    ldv_descriptor_io_free(&reader->io);
    av_free(reader);
}
