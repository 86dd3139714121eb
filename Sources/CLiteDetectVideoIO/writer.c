// Encoding I420 frames into a container file, with the audio of a reader copied packet by packet.
#include "video_io_internal.h"

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include <string.h>

struct ldv_writer {
    AVFormatContext *format;
    AVIOContext *io;
    AVCodecContext *encoder;
    AVStream *video;
    AVStream *audio;
    AVFrame *frame;
    AVPacket *packet;
    AVPacket *audio_packet;
    /// The caller's timestamps are in `input_base`; the encoder's in encoder->time_base.
    AVRational input_base;
    int64_t last_pts;
    /// Length of a frame in the encoder's time base, for packets the encoder leaves without one
    /// (an MP4's edit list would otherwise cut its last frame): one frame at the nominal rate,
    /// else the last gap between frames.
    int64_t frame_duration;
    int wrote_frame;
    int finished;
    /// The first error met while copying audio, reported by the next call.
    int audio_error;
    /// Conversion of frames that are not what the encoder takes (other layouts; MJPEG's full range).
    struct SwsContext *scaler;
    int width, height;
    ldv_reader *audio_source;
};

static int takes_format(const AVCodec *codec, enum AVPixelFormat format) {
    if (!codec->pix_fmts) return format == AV_PIX_FMT_YUV420P;
    for (const enum AVPixelFormat *f = codec->pix_fmts; *f != AV_PIX_FMT_NONE; f++) {
        if (*f == format) return 1;
    }
    return 0;
}

/// Encoder settings for speed next to detection and for quality: libx264 at its `veryfast`
/// preset (CRF 23, its default quality), VP9 in real-time mode, fixed quantiser 3 for MPEG-4 and MJPEG
/// (their default bit rate, 200 kb/s, smears boxes and labels).
static void tune(AVCodecContext *context, const AVCodec *codec) {
    if (!strcmp(codec->name, "libx264") || !strcmp(codec->name, "libx265")) {
        av_opt_set(context->priv_data, "preset", "veryfast", 0);
    } else if (!strcmp(codec->name, "libvpx-vp9") || !strcmp(codec->name, "libvpx")) {
        av_opt_set(context->priv_data, "deadline", "realtime", 0);
        av_opt_set_int(context->priv_data, "cpu-used", 8, 0);
        av_opt_set_int(context->priv_data, "crf", 32, 0);
        context->bit_rate = 0;
    } else {
        context->flags |= AV_CODEC_FLAG_QSCALE;
        context->global_quality = FF_QP2LAMBDA * 3;
    }
}

/// Tries to open `codec` for `config`; the context on success, NULL otherwise.
static AVCodecContext *open_encoder(const AVCodec *codec, const ldv_writer_config *config,
                                    const AVOutputFormat *container) {
    AVCodecContext *context = avcodec_alloc_context3(codec);
    if (!context) return NULL;
    context->width = config->width;
    context->height = config->height;
    context->pix_fmt = takes_format(codec, AV_PIX_FMT_YUV420P) ? AV_PIX_FMT_YUV420P
                       : codec->pix_fmts                       ? codec->pix_fmts[0]
                                                               : AV_PIX_FMT_YUV420P;
    context->color_range = context->pix_fmt == AV_PIX_FMT_YUVJ420P ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    // The frames are BT.601 (LiteDetect's conversions); say so, so players do not guess BT.709.
    context->colorspace = AVCOL_SPC_BT470BG;
    context->time_base = (AVRational){config->time_base_num, config->time_base_den};
    // Constant-rate containers (AVI) count time in frames: one tick per frame at the nominal rate,
    // so that the caller's timestamps land on whole frames (gaps become skipped frames). They store
    // no presentation times either, so no B-frames, which would come out of order.
    if (!(container->flags & AVFMT_VARIABLE_FPS)) {
        context->max_b_frames = 0;
        if (config->frame_rate_num > 0 && config->frame_rate_den > 0)
            context->time_base = (AVRational){config->frame_rate_den, config->frame_rate_num};
    }
    // MPEG-4 Part 2 and MJPEG limit the time base's denominator to 16 bits; milliseconds then.
    if (context->time_base.den > 65535 && (codec->id == AV_CODEC_ID_MPEG4 || codec->id == AV_CODEC_ID_MJPEG)) {
        context->time_base = (AVRational){1, 1000};
    }
    if (config->frame_rate_num > 0 && config->frame_rate_den > 0) {
        context->framerate = (AVRational){config->frame_rate_num, config->frame_rate_den};
        // A key frame every two seconds or so: seeking in the output stays cheap.
        int64_t gop = av_rescale(2, config->frame_rate_num, config->frame_rate_den);
        context->gop_size = (int)(gop < 1 ? 1 : gop > 600 ? 600 : gop);
    }
    context->thread_count = config->threads;
    if (container->flags & AVFMT_GLOBALHEADER) context->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    tune(context, codec);
    if (avcodec_open2(context, codec, NULL) < 0) avcodec_free_context(&context);
    return context;
}

/// H.264 when the container takes it, else the container's own default, else MPEG-4 Part 2, else
/// MJPEG; for each codec the software encoders in FFmpeg's order, libx264 first.
static AVCodecContext *choose_encoder(const ldv_writer_config *config, const AVOutputFormat *container) {
    const enum AVCodecID candidates[] = {AV_CODEC_ID_H264, container->video_codec, AV_CODEC_ID_MPEG4,
                                         AV_CODEC_ID_MJPEG};
    for (size_t c = 0; c < sizeof candidates / sizeof *candidates; c++) {
        enum AVCodecID id = candidates[c];
        if (id == AV_CODEC_ID_NONE || avformat_query_codec(container, id, FF_COMPLIANCE_NORMAL) != 1) continue;
        int seen = 0;
        for (size_t d = 0; d < c; d++) seen |= candidates[d] == id;
        if (seen) continue;
        if (id == AV_CODEC_ID_H264) {
            const AVCodec *x264 = avcodec_find_encoder_by_name("libx264");
            AVCodecContext *context = x264 ? open_encoder(x264, config, container) : NULL;
            if (context) return context;
        }
        void *iterator = NULL;
        for (const AVCodec *codec; (codec = av_codec_iterate(&iterator));) {
            if (codec->id != id || !av_codec_is_encoder(codec)) continue;
            // Hardware encoders need devices and drivers this library does not set up.
            if (codec->capabilities & (AV_CODEC_CAP_HARDWARE | AV_CODEC_CAP_EXPERIMENTAL)) continue;
            if (!strcmp(codec->name, "libx264")) continue;
            AVCodecContext *context = open_encoder(codec, config, container);
            if (context) return context;
        }
    }
    return NULL;
}

ldv_status ldv_writer_open(int fd, const char *file_name, const ldv_writer_config *config, ldv_reader *audio_from,
                           ldv_writer **result, char encoder_name[LDV_NAME_CAPACITY],
                           char codec_name[LDV_NAME_CAPACITY], int32_t *copies_audio, ldv_report *report) {
    ldv_quiet_ffmpeg_log();
    *result = NULL;
    *copies_audio = 0;
    encoder_name[0] = codec_name[0] = 0;
    if (fd < 0 || config->width < 1 || config->height < 1 || config->time_base_num < 1 || config->time_base_den < 1 ||
        config->threads < 0) {
        return ldv_fail(report, LDV_INVALID_ARGUMENT, "invalid descriptor, frame size, time base or thread count");
    }
    const AVOutputFormat *container = av_guess_format(NULL, file_name, NULL);
    if (!container)
        return ldv_fail(report, LDV_UNSUPPORTED, "no container FFmpeg writes has this file name's extension");
    // Muxers that write their own files (image sequences, segments, playlists) are refused.
    if (container->flags & AVFMT_NOFILE || container->video_codec == AV_CODEC_ID_NONE) {
        return ldv_fail(report, LDV_UNSUPPORTED, "the %s format is not a video container LiteDetect writes",
                        container->name);
    }
    ldv_writer *writer = av_mallocz(sizeof *writer);
    if (!writer) return ldv_fail(report, LDV_OUT_OF_MEMORY, "out of memory");
    writer->input_base = (AVRational){config->time_base_num, config->time_base_den};
    writer->width = config->width;
    writer->height = config->height;
    ldv_status status = LDV_OUT_OF_MEMORY;
    int error;
    if (avformat_alloc_output_context2(&writer->format, container, NULL, NULL) < 0 || !writer->format) goto failed;
    writer->io = ldv_descriptor_io(fd, 1);
    writer->frame = av_frame_alloc();
    writer->packet = av_packet_alloc();
    writer->audio_packet = av_packet_alloc();
    if (!writer->io || !writer->frame || !writer->packet || !writer->audio_packet) goto failed;
    writer->format->pb = writer->io;
    writer->format->io_open = ldv_refuse_nested_open;

    writer->encoder = choose_encoder(config, container);
    if (!writer->encoder) {
        status = ldv_fail(report, LDV_UNSUPPORTED, "FFmpeg has no encoder for a video codec the %s container takes",
                          container->name);
        goto failed;
    }
    snprintf(encoder_name, LDV_NAME_CAPACITY, "%s", writer->encoder->codec->name);
    snprintf(codec_name, LDV_NAME_CAPACITY, "%s", avcodec_get_name(writer->encoder->codec_id));
    writer->video = avformat_new_stream(writer->format, NULL);
    if (!writer->video) goto failed;
    if ((error = avcodec_parameters_from_context(writer->video->codecpar, writer->encoder)) < 0) {
        status = ldv_fail_av(report, error, LDV_UNSUPPORTED, "cannot describe the video stream");
        goto failed;
    }
    writer->video->time_base = writer->encoder->time_base;
    if (writer->encoder->framerate.num > 0) writer->video->avg_frame_rate = writer->encoder->framerate;

    const AVStream *audio = audio_from ? ldv_reader_audio_stream(audio_from) : NULL;
    if (audio && avformat_query_codec(container, audio->codecpar->codec_id, FF_COMPLIANCE_NORMAL) == 1) {
        writer->audio = avformat_new_stream(writer->format, NULL);
        if (!writer->audio) goto failed;
        if ((error = avcodec_parameters_copy(writer->audio->codecpar, audio->codecpar)) < 0) {
            status = ldv_fail_av(report, error, LDV_UNSUPPORTED, "cannot copy the audio stream");
            goto failed;
        }
        // The input container's tag may mean nothing in this one; the muxer picks its own.
        writer->audio->codecpar->codec_tag = 0;
        writer->audio->time_base = audio->time_base;
        writer->audio_source = audio_from;
    }

    writer->frame->format = writer->encoder->pix_fmt;
    writer->frame->width = config->width;
    writer->frame->height = config->height;
    writer->frame->color_range = writer->encoder->color_range;
    writer->frame->colorspace = writer->encoder->colorspace;
    if ((error = av_frame_get_buffer(writer->frame, 0)) < 0) goto failed;
    if ((error = avformat_write_header(writer->format, NULL)) < 0) {
        status = ldv_fail_av(report, error, LDV_IO, "cannot write the container header");
        goto failed;
    }
    if (writer->audio_source) {
        ldv_reader_attach_audio(writer->audio_source, writer);
        *copies_audio = 1;
    }
    writer->last_pts = INT64_MIN;
    writer->frame_duration = writer->encoder->framerate.num > 0
                                 ? av_rescale_q(1, av_inv_q(writer->encoder->framerate), writer->encoder->time_base)
                                 : 1;
    if (writer->frame_duration < 1) writer->frame_duration = 1;
    *result = writer;
    return LDV_OK;

failed:
    writer->audio_source = NULL;
    ldv_writer_close(writer);
    return status;
}

/// Sends every packet the encoder has ready to the muxer.
static ldv_status drain(ldv_writer *writer, ldv_report *report) {
    for (;;) {
        int error = avcodec_receive_packet(writer->encoder, writer->packet);
        if (error == AVERROR(EAGAIN) || error == AVERROR_EOF) return LDV_OK;
        if (error < 0) return ldv_fail_av(report, error, LDV_INVALID_ARGUMENT, "encoding failed");
        if (writer->packet->duration <= 0) writer->packet->duration = writer->frame_duration;
        av_packet_rescale_ts(writer->packet, writer->encoder->time_base, writer->video->time_base);
        writer->packet->stream_index = writer->video->index;
        error = av_interleaved_write_frame(writer->format, writer->packet);
        if (error < 0) return ldv_fail_av(report, error, LDV_IO, "writing the file failed");
    }
}

static ldv_status audio_failure(ldv_writer *writer, ldv_report *report) {
    return ldv_fail_av(report, writer->audio_error, LDV_IO, "copying the audio failed");
}

static enum AVPixelFormat av_layout(ldv_pixels format) {
    switch (format) {
    case LDV_PIXELS_NV12:
        return AV_PIX_FMT_NV12;
    case LDV_PIXELS_I422:
        return AV_PIX_FMT_YUV422P;
    case LDV_PIXELS_I444:
        return AV_PIX_FMT_YUV444P;
    default:
        return AV_PIX_FMT_YUV420P;
    }
}

ldv_status ldv_writer_write(ldv_writer *writer, ldv_pixels format, const uint8_t *const planes[3],
                            const int32_t bytes_per_row[3], int64_t pts, ldv_report *report) {
    if (writer->finished) return ldv_fail(report, LDV_INVALID_ARGUMENT, "the file was already finished");
    if (writer->audio_error) return audio_failure(writer, report);
    int64_t encoder_pts = av_rescale_q(pts, writer->input_base, writer->encoder->time_base);
    if (writer->wrote_frame && encoder_pts <= writer->last_pts) {
        return ldv_fail(report, LDV_INVALID_ARGUMENT,
                        "frame timestamps must increase (by at least the encoder's time unit %d/%d s)",
                        writer->encoder->time_base.num, writer->encoder->time_base.den);
    }
    int error = av_frame_make_writable(writer->frame);
    if (error < 0) return ldv_fail_av(report, error, LDV_OUT_OF_MEMORY, "no frame buffer");
    enum AVPixelFormat source = av_layout(format);
    // Only I420 into a yuv420p encoder is copied plane by plane; everything else goes through libswscale.
    if (source != AV_PIX_FMT_YUV420P || writer->encoder->pix_fmt != AV_PIX_FMT_YUV420P) {
        writer->scaler = sws_getCachedContext(writer->scaler, writer->width, writer->height, source, writer->width,
                                              writer->height, writer->encoder->pix_fmt, SWS_BICUBIC, NULL, NULL, NULL);
        if (!writer->scaler)
            return ldv_fail(report, LDV_UNSUPPORTED, "cannot convert frames for %s", writer->encoder->codec->name);
        const int *coefficients = sws_getCoefficients(SWS_CS_DEFAULT);
        sws_setColorspaceDetails(writer->scaler, coefficients, 0, coefficients,
                                 writer->encoder->color_range == AVCOL_RANGE_JPEG, 0, 1 << 16, 1 << 16);
        int linesizes[4] = {bytes_per_row[0], bytes_per_row[1], format == LDV_PIXELS_NV12 ? 0 : bytes_per_row[2], 0};
        const uint8_t *sources[4] = {planes[0], planes[1], format == LDV_PIXELS_NV12 ? NULL : planes[2], NULL};
        sws_scale(writer->scaler, sources, linesizes, 0, writer->height, writer->frame->data, writer->frame->linesize);
    } else {
        int chroma_width = (writer->width + 1) / 2, chroma_height = (writer->height + 1) / 2;
        av_image_copy_plane(writer->frame->data[0], writer->frame->linesize[0], planes[0], bytes_per_row[0],
                            writer->width, writer->height);
        av_image_copy_plane(writer->frame->data[1], writer->frame->linesize[1], planes[1], bytes_per_row[1],
                            chroma_width, chroma_height);
        av_image_copy_plane(writer->frame->data[2], writer->frame->linesize[2], planes[2], bytes_per_row[2],
                            chroma_width, chroma_height);
    }
    writer->frame->pts = encoder_pts;
    if ((error = avcodec_send_frame(writer->encoder, writer->frame)) < 0) {
        return ldv_fail_av(report, error, LDV_INVALID_ARGUMENT, "encoding failed");
    }
    if (writer->wrote_frame && !(writer->encoder->framerate.num > 0))
        writer->frame_duration = encoder_pts - writer->last_pts;
    writer->last_pts = encoder_pts;
    writer->wrote_frame = 1;
    return drain(writer, report);
}

void ldv_writer_forward_audio(ldv_writer *writer, const AVPacket *packet, AVRational time_base, int64_t shift) {
    if (!writer->audio || writer->finished || writer->audio_error) return;
    int error = av_packet_ref(writer->audio_packet, packet);
    if (error < 0) {
        writer->audio_error = error;
        return;
    }
    if (writer->audio_packet->pts != AV_NOPTS_VALUE) writer->audio_packet->pts -= shift;
    if (writer->audio_packet->dts != AV_NOPTS_VALUE) writer->audio_packet->dts -= shift;
    av_packet_rescale_ts(writer->audio_packet, time_base, writer->audio->time_base);
    writer->audio_packet->stream_index = writer->audio->index;
    writer->audio_packet->pos = -1;
    // av_interleaved_write_frame takes the packet's reference, whatever it returns.
    error = av_interleaved_write_frame(writer->format, writer->audio_packet);
    if (error < 0) writer->audio_error = error;
}

ldv_status ldv_writer_finish(ldv_writer *writer, ldv_report *report) {
    if (writer->finished) return LDV_OK;
    writer->finished = 1;
    if (writer->audio_source) {
        ldv_reader_detach_audio(writer->audio_source);
        writer->audio_source = NULL;
    }
    int error = avcodec_send_frame(writer->encoder, NULL);
    if (error < 0 && error != AVERROR_EOF)
        return ldv_fail_av(report, error, LDV_INVALID_ARGUMENT, "flushing the encoder failed");
    ldv_status status = drain(writer, report);
    if (status != LDV_OK) return status;
    if ((error = av_write_trailer(writer->format)) < 0)
        return ldv_fail_av(report, error, LDV_IO, "writing the end of the file failed");
    avio_flush(writer->io);
    if (writer->io->error < 0) return ldv_fail_av(report, writer->io->error, LDV_IO, "writing the file failed");
    if (writer->audio_error) return audio_failure(writer, report);
    return LDV_OK;
}

void ldv_writer_detach_audio(ldv_writer *writer) { writer->audio_source = NULL; }

void ldv_writer_close(ldv_writer *writer) {
    if (!writer) return;
    if (writer->audio_source) ldv_reader_detach_audio(writer->audio_source);
    sws_freeContext(writer->scaler);
    av_packet_free(&writer->audio_packet);
    av_packet_free(&writer->packet);
    av_frame_free(&writer->frame);
    avcodec_free_context(&writer->encoder);
    avformat_free_context(writer->format);
    ldv_descriptor_io_free(&writer->io);
    av_free(writer);
}
