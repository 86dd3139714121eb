#ifndef CLITEDETECT_VIDEOIO_H
#define CLITEDETECT_VIDEOIO_H

/*
 * A small C shim over FFmpeg's libavformat, libavcodec and libswscale: read the video stream of
 * a container file frame by frame, and write an H.264 (or MPEG-4 Part 2 / MJPEG) video file,
 * copying the input's audio.
 *
 * Files are always opened by the caller and handed over as descriptors: FFmpeg reads and writes
 * them through callbacks on that descriptor (no FFmpeg protocol is ever used), and a container
 * that would open further files or URLs (playlists, concat lists, image sequences) is refused.
 * So a file can only ever be what the caller opened and checked.
 *
 * Frames are handed out as views of the decoder's own planes when their layout is one LiteDetect
 * reads directly (4:2:0, NV12, 4:2:2 or 4:4:4 at 8 bits, limited range); anything else (full
 * range "yuvj", 10-bit, RGB, palettes…) is converted once by libswscale into limited-range 4:2:0
 * planes owned by the reader. A view stays valid until the next call on the reader.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a shim call.
typedef enum {
    LDV_OK = 0,
    /// The stream has no more frames.
    LDV_END = 1,
    /// No demuxer recognises the data (not a video container, or an empty file).
    LDV_NOT_MEDIA = 2,
    /// The container holds no video stream.
    LDV_NO_VIDEO_STREAM = 3,
    /// A codec or container this FFmpeg build cannot handle, or one LiteDetect refuses.
    LDV_UNSUPPORTED = 4,
    /// Frames are larger than the caller's pixel limit (refused before allocating them).
    LDV_TOO_LARGE = 5,
    /// The data is damaged: a demuxing or decoding error, or a frame the decoder marked corrupt.
    LDV_CORRUPT = 6,
    /// Reading or writing the descriptor failed.
    LDV_IO = 7,
    LDV_OUT_OF_MEMORY = 8,
    /// The caller passed inconsistent arguments (sizes, time bases, order of calls).
    LDV_INVALID_ARGUMENT = 9,
} ldv_status;

/// Size of every message buffer.
#define LDV_MESSAGE_CAPACITY 256
#define LDV_NAME_CAPACITY 64

/// What a failed call reports.
typedef struct {
    /// The error text, NUL-terminated.
    char message[LDV_MESSAGE_CAPACITY];
    /// With LDV_TOO_LARGE: the size of the frames refused.
    int32_t width, height;
} ldv_report;

/// Pixel layouts of the frames handed out (values match no FFmpeg enum on purpose).
typedef enum {
    LDV_PIXELS_I420 = 0,
    LDV_PIXELS_NV12 = 1,
    LDV_PIXELS_I422 = 2,
    LDV_PIXELS_I444 = 3,
} ldv_pixels;

/// What the container says about its video stream.
typedef struct {
    int32_t width;
    int32_t height;
    /// Average frame rate (else the container's base rate); 0/0 when unknown.
    int32_t frame_rate_num, frame_rate_den;
    /// The unit of the stream's timestamps, in seconds.
    int32_t time_base_num, time_base_den;
    /// Length of the file in microseconds, -1 when unknown.
    int64_t duration_us;
    /// Frames the container announces, 0 when it does not say.
    int64_t frame_count;
    /// 1 when the file has an audio stream (that a writer can copy).
    int32_t has_audio;
    /// Demuxer ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"…), codec ("h264"…) and
    /// the decoder's pixel format ("yuv420p"…).
    char container[LDV_NAME_CAPACITY];
    char codec[LDV_NAME_CAPACITY];
    char pixel_format[LDV_NAME_CAPACITY];
} ldv_stream_info;

/// One decoded frame, as views valid until the next call on its reader.
typedef struct {
    ldv_pixels format;
    int32_t width;
    int32_t height;
    const uint8_t *planes[3];
    int32_t bytes_per_row[3];
    /// Bytes each plane's view covers (from the first byte of its first row to the end of its last).
    int64_t plane_bytes[3];
    /// Presentation time in the stream's time base, counted from the start of the file (FFmpeg's
    /// start_time, as the `ffmpeg` program counts); INT64_MIN when the stream gives none.
    int64_t pts;
    /// Position in decoding output order, from 0 (frames before a seek target are not counted).
    int64_t index;
    /// 1 when libswscale converted the decoder's output to I420 for this frame.
    int32_t converted;
} ldv_frame;

typedef struct ldv_reader ldv_reader;
typedef struct ldv_writer ldv_writer;

/// Opens the container read from `fd` (a regular file the caller opened; it is not closed),
/// picks its best video stream and opens a decoder with `threads` threads (0: FFmpeg decides).
/// Refuses frames of more than `max_pixels` pixels, as the container announces them and as the
/// decoder produces them.
ldv_status ldv_reader_open(int fd, int64_t max_pixels, int32_t threads, ldv_reader **reader, ldv_stream_info *info,
                           ldv_report *report);

/// Hands out frames from `start_us` on (seeking to the key frame before it when the container
/// allows, then decoding and dropping the frames before it) and none from `end_us` on
/// (INT64_MAX: to the end). Audio forwarded to a writer is cut the same way. Call before the first frame.
ldv_status ldv_reader_set_range(ldv_reader *reader, int64_t start_us, int64_t end_us, ldv_report *report);

/// The next frame in presentation order: LDV_OK with `frame` filled, LDV_END after the last.
ldv_status ldv_reader_next(ldv_reader *reader, ldv_frame *frame, ldv_report *report);

/// Frees the reader (and detaches a writer copying its audio).
void ldv_reader_close(ldv_reader *reader);

/// What a writer is asked to make.
typedef struct {
    int32_t width;
    int32_t height;
    /// Nominal rate, for the encoder's rate control and the container's header; 0/0 when unknown.
    int32_t frame_rate_num, frame_rate_den;
    /// Unit of the timestamps passed to ldv_writer_write, in seconds.
    int32_t time_base_num, time_base_den;
    /// Encoder threads (0: FFmpeg decides).
    int32_t threads;
} ldv_writer_config;

/// Creates a video file on `fd` (a file the caller created; not closed), choosing the container
/// from `file_name`'s extension and the encoder: H.264 when the container takes it and FFmpeg has an
/// H.264 encoder that opens, else the container's default video codec, else MPEG-4 Part 2, else MJPEG.
/// `encoder` receives the chosen encoder's name ("libx264", "mpeg4"…) and `codec` its codec ("h264").
/// When `audio_from` is given and the container can hold its audio codec, that audio is copied.
/// The container header is written here.
ldv_status ldv_writer_open(int fd, const char *file_name, const ldv_writer_config *config, ldv_reader *audio_from,
                           ldv_writer **writer, char encoder[LDV_NAME_CAPACITY], char codec[LDV_NAME_CAPACITY],
                           int32_t *copies_audio, ldv_report *report);

/// Encodes one limited-range YUV frame of the configured size at `pts` (in the configured time
/// base); timestamps must increase. I420 goes to the encoder as it is; other layouts (and encoders
/// that want something else, like MJPEG's full range) are converted by libswscale.
ldv_status ldv_writer_write(ldv_writer *writer, ldv_pixels format, const uint8_t *const planes[3],
                            const int32_t bytes_per_row[3], int64_t pts, ldv_report *report);

/// Drains the encoder and writes the container's trailer. The file is complete after LDV_OK.
ldv_status ldv_writer_finish(ldv_writer *writer, ldv_report *report);

/// Frees the writer (without finishing the file if ldv_writer_finish was not called).
void ldv_writer_close(ldv_writer *writer);

#ifdef __cplusplus
}
#endif

#endif
