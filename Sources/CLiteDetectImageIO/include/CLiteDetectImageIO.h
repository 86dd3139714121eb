#ifndef CLITEDETECT_IMAGEIO_H
#define CLITEDETECT_IMAGEIO_H

/*
 * A small C shim over libjpeg(-turbo) and libpng.
 *
 * Both libraries report fatal errors by never returning: libjpeg's default
 * error handler calls exit() and libpng longjmp()s out of the failing call.
 * Every function here installs its own error handlers, catches those jumps
 * with setjmp() inside C (so no jump ever crosses a Swift frame) and returns
 * an ldio_status plus the library's own message text in an ldio_report.
 *
 * Decoding is two-phase so the caller can refuse an oversized image before
 * allocating anything: *_read_header() reports the dimensions, then
 * *_decode_rgb8() writes 8-bit RGB rows into a buffer the caller allocated.
 *
 * Pixel layout everywhere: rows top to bottom, `bytes_per_row` bytes apart,
 * each row `width` pixels of 3 bytes (R, G, B).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a shim call.
typedef enum {
    /// Success (warnings, if any, are in the report).
    LDIO_OK = 0,
    /// The library rejected the data as malformed.
    LDIO_CORRUPT = 1,
    /// The data ended before the header or image was complete.
    LDIO_TRUNCATED = 2,
    /// Well-formed, but a feature this build cannot decode (e.g. 12-bit JPEG).
    LDIO_UNSUPPORTED = 3,
    /// An allocation failed.
    LDIO_OUT_OF_MEMORY = 4,
    /// The caller passed inconsistent arguments (sizes, buffer, quality).
    LDIO_INVALID_ARGUMENT = 5,
} ldio_status;

/// Size of every message buffer (libjpeg's own limit, JMSG_LENGTH_MAX, is 200).
#define LDIO_MESSAGE_CAPACITY 256

/// What the caller learns besides the status: messages and data damage.
typedef struct {
    /// The error text when the status is not LDIO_OK, NUL-terminated.
    char message[LDIO_MESSAGE_CAPACITY];
    /// The first warning the library emitted, NUL-terminated ("" if none).
    char first_warning[LDIO_MESSAGE_CAPACITY];
    /// How many warnings the library emitted (corrupt-data warnings included).
    int32_t warning_count;
    /// 1 when the input ended in the middle of a scan: the decoder filled the rest
    /// of the image (libjpeg pads with gray), so the pixels are incomplete. A JPEG
    /// that only lacks its final EOI marker also runs out of input, but after its
    /// last scan: that is a warning, not truncation.
    int32_t data_truncated;
} ldio_report;

/// What a header says about the stored image.
typedef struct {
    int32_t width;
    int32_t height;
    /// Components stored in the file: 1 gray, 2 gray+alpha, 3 colour, 4 CMYK/YCCK or RGBA.
    int32_t stored_channels;
    /// Bits per stored sample: 8 for JPEG; 1, 2, 4, 8 or 16 for PNG.
    int32_t bit_depth;
    /// 1 for progressive JPEG or Adam7-interlaced PNG.
    int32_t is_progressive;
    /// 1 when a palette (PNG) is used.
    int32_t has_palette;
} ldio_image_info;

/// An encoded file in memory, allocated by the shim; release with ldio_buffer_free().
typedef struct {
    uint8_t *data;
    size_t size;
    size_t capacity;
} ldio_buffer;

/// Releases `buffer->data` and zeroes the struct. Safe on a zeroed buffer.
void ldio_buffer_free(ldio_buffer *buffer);

/// Most progressive scans a JPEG may have before it is rejected as hostile
/// (each scan re-walks the whole coefficient buffer: thousands make decoding crawl).
#define LDIO_JPEG_MAX_SCANS 1000

/// Reads the JPEG header of `data[0..<size]`.
ldio_status ldio_jpeg_read_header(const uint8_t *data, size_t size, ldio_image_info *info, ldio_report *report);

/// Decodes the JPEG into RGB8. `width`/`height` must equal the header's.
/// Gray → R=G=B. CMYK and YCCK are always taken as Adobe (Photoshop) inverted CMYK,
/// as Pillow does (CMYK JPEGs without Adobe's convention are rare), and converted
/// with R = (255-C)(255-K)/255 using Pillow's formula and rounding.
/// A truncated stream returns LDIO_OK with report->data_truncated = 1 (the missing
/// part is libjpeg's gray padding): the caller decides whether to accept it.
ldio_status ldio_jpeg_decode_rgb8(const uint8_t *data, size_t size, uint8_t *pixels, size_t bytes_per_row,
                                  int32_t width, int32_t height, ldio_report *report);

/// Encodes RGB8 pixels as a baseline JPEG (quality 1...100, 4:2:0 chroma).
ldio_status ldio_jpeg_encode_rgb8(const uint8_t *pixels, size_t bytes_per_row, int32_t width, int32_t height,
                                  int32_t quality, ldio_buffer *output, ldio_report *report);

/// Reads the PNG header (IHDR) of `data[0..<size]`.
ldio_status ldio_png_read_header(const uint8_t *data, size_t size, ldio_image_info *info, ldio_report *report);

/// Decodes the PNG into RGB8. `width`/`height` must equal the header's.
/// Palette → its RGB entries; gray → R=G=B; 16-bit → the high byte of each
/// sample (as Pillow does); alpha (an alpha channel or tRNS) is dropped, not
/// composited (as Pillow's convert("RGB") does); Adam7 interlacing is undone.
/// A truncated stream returns LDIO_TRUNCATED.
ldio_status ldio_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *pixels, size_t bytes_per_row, int32_t width,
                                 int32_t height, ldio_report *report);

/// Encodes RGB8 pixels as an 8-bit RGB, non-interlaced PNG.
ldio_status ldio_png_encode_rgb8(const uint8_t *pixels, size_t bytes_per_row, int32_t width, int32_t height,
                                 ldio_buffer *output, ldio_report *report);

#ifdef __cplusplus
}
#endif

#endif /* CLITEDETECT_IMAGEIO_H */
