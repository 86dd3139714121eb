/*
 * PNG half of the shim: header reading, decoding to RGB8 and encoding through
 * libpng, whose errors longjmp() back into the *_guarded() function that set
 * the jump buffer. As in jpeg_io.c, state that must survive a longjmp lives in
 * a struct owned by the public function's frame.
 */

#include "report_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

/// Read cursor over the caller's bytes.
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int ran_out;
} png_memory_source;

/// Everything one libpng session touches.
typedef struct {
    png_structp png;
    png_infop info;
    ldio_report *report;
    png_memory_source source;
    ldio_buffer *sink;
    int out_of_memory;
} png_session;

static void on_png_error(png_structp png, png_const_charp text) {
    png_session *session = (png_session *)png_get_error_ptr(png);
    ldio_copy_message(session->report->message, text);
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp text) {
    png_session *session = (png_session *)png_get_error_ptr(png);
    ldio_report_warning(session->report, text);
}

static void read_from_memory(png_structp png, png_bytep out, size_t length) {
    png_session *session = (png_session *)png_get_io_ptr(png);
    png_memory_source *source = &session->source;
    if (length > source->size - source->offset) {
        source->ran_out = 1;
        png_error(png, "PNG data ends early (the file is truncated)");
    }
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static void write_to_memory(png_structp png, png_bytep bytes, size_t length) {
    png_session *session = (png_session *)png_get_io_ptr(png);
    if (!ldio_buffer_append(session->sink, bytes, length)) {
        session->out_of_memory = 1;
        png_error(png, "out of memory while encoding PNG");
    }
}

static void flush_memory(png_structp png) { (void)png; }

static ldio_status status_after_png_error(const png_session *session) {
    if (session->out_of_memory) return LDIO_OUT_OF_MEMORY;
    return session->source.ran_out ? LDIO_TRUNCATED : LDIO_CORRUPT;
}

/// Creates the read structs; returns 0 (with a message) if libpng cannot allocate them.
static int open_reader(png_session *session, const uint8_t *data, size_t size, ldio_report *report) {
    memset(session, 0, sizeof(*session));
    session->report = report;
    session->source.data = data;
    session->source.size = size;
    session->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, session, on_png_error, on_png_warning);
    if (session->png == NULL) {
        ldio_copy_message(report->message, "libpng could not create a read struct");
        return 0;
    }
    session->info = png_create_info_struct(session->png);
    if (session->info == NULL) {
        png_destroy_read_struct(&session->png, NULL, NULL);
        ldio_copy_message(report->message, "libpng could not create an info struct");
        return 0;
    }
    return 1;
}

static void close_reader(png_session *session) { png_destroy_read_struct(&session->png, &session->info, NULL); }

static void fill_info(png_session *session, ldio_image_info *info) {
    png_structp png = session->png;
    png_infop png_info = session->info;
    info->width = (int32_t)png_get_image_width(png, png_info);
    info->height = (int32_t)png_get_image_height(png, png_info);
    info->stored_channels = png_get_channels(png, png_info);
    info->bit_depth = png_get_bit_depth(png, png_info);
    info->is_progressive = png_get_interlace_type(png, png_info) != PNG_INTERLACE_NONE;
    info->has_palette = png_get_color_type(png, png_info) == PNG_COLOR_TYPE_PALETTE;
}

static ldio_status read_header_guarded(png_session *session, ldio_image_info *info) {
    if (setjmp(png_jmpbuf(session->png))) {
        ldio_status status = status_after_png_error(session);
        close_reader(session);
        return status;
    }
    png_set_read_fn(session->png, session, read_from_memory);
    png_read_info(session->png, session->info);
    fill_info(session, info);
    close_reader(session);
    return LDIO_OK;
}

ldio_status ldio_png_read_header(const uint8_t *data, size_t size, ldio_image_info *info, ldio_report *report) {
    ldio_report_reset(report);
    if (data == NULL || size == 0 || info == NULL) {
        ldio_copy_message(report->message, "no PNG data given");
        return LDIO_INVALID_ARGUMENT;
    }
    memset(info, 0, sizeof(*info));
    png_session session;
    if (!open_reader(&session, data, size, report)) return LDIO_OUT_OF_MEMORY;
    return read_header_guarded(&session, info);
}

/// Reads the chunks after the image data (checking the last IDAT's CRC). A
/// failure here cannot damage pixels already decoded, so it becomes a warning.
static void finish_reading_guarded(png_session *session) {
    if (setjmp(png_jmpbuf(session->png))) {
        char text[LDIO_MESSAGE_CAPACITY];
        snprintf(text, sizeof(text), "after the image data: %.200s", session->report->message);
        session->report->message[0] = '\0';
        ldio_report_warning(session->report, text);
        return;
    }
    png_read_end(session->png, NULL);
}

static ldio_status decode_guarded(png_session *session, uint8_t *pixels, size_t bytes_per_row, int32_t width,
                                  int32_t height) {
    if (setjmp(png_jmpbuf(session->png))) {
        ldio_status status = status_after_png_error(session);
        close_reader(session);
        return status;
    }
    png_structp png = session->png;
    png_set_read_fn(png, session, read_from_memory);
    png_read_info(png, session->info);
    if ((int32_t)png_get_image_width(png, session->info) != width ||
        (int32_t)png_get_image_height(png, session->info) != height) {
        snprintf(session->report->message, LDIO_MESSAGE_CAPACITY, "PNG is %ux%u but the buffer was sized for %dx%d",
                 (unsigned)png_get_image_width(png, session->info), (unsigned)png_get_image_height(png, session->info),
                 width, height);
        close_reader(session);
        return LDIO_INVALID_ARGUMENT;
    }
    /* Palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha; then 16 -> 8 bits by
       keeping the high byte; then drop alpha; then gray -> RGB. */
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_gray_to_rgb(png);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, session->info);
    if (png_get_channels(png, session->info) != 3 || png_get_rowbytes(png, session->info) != (size_t)width * 3) {
        ldio_copy_message(session->report->message, "libpng did not produce 8-bit RGB rows");
        close_reader(session);
        return LDIO_UNSUPPORTED;
    }
    /* Each Adam7 pass refines the same rows in place, so reading every row once
       per pass into the final buffer needs no extra memory. */
    for (int pass = 0; pass < passes; pass++) {
        for (int32_t y = 0; y < height; y++) {
            png_read_row(png, pixels + (size_t)y * bytes_per_row, NULL);
        }
    }
    finish_reading_guarded(session);
    close_reader(session);
    return LDIO_OK;
}

ldio_status ldio_png_decode_rgb8(const uint8_t *data, size_t size, uint8_t *pixels, size_t bytes_per_row, int32_t width,
                                 int32_t height, ldio_report *report) {
    if (!ldio_begin_decode(data, size, pixels, bytes_per_row, width, height, "PNG", report))
        return LDIO_INVALID_ARGUMENT;
    png_session session;
    if (!open_reader(&session, data, size, report)) return LDIO_OUT_OF_MEMORY;
    return decode_guarded(&session, pixels, bytes_per_row, width, height);
}

static ldio_status encode_guarded(png_session *session, const uint8_t *pixels, size_t bytes_per_row, int32_t width,
                                  int32_t height) {
    if (setjmp(png_jmpbuf(session->png))) {
        ldio_status status = status_after_png_error(session);
        png_destroy_write_struct(&session->png, &session->info);
        return status;
    }
    png_structp png = session->png;
    png_set_write_fn(png, session, write_to_memory, flush_memory);
    png_set_IHDR(png, session->info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    /* zlib level 3 instead of the default 6: on SampleImages/street.jpg about 2.5x faster
       for a file about 6% larger, which suits annotated output written once per frame. */
    png_set_compression_level(png, 3);
    png_write_info(png, session->info);
    for (int32_t y = 0; y < height; y++) {
        png_write_row(png, pixels + (size_t)y * bytes_per_row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&session->png, &session->info);
    return LDIO_OK;
}

ldio_status ldio_png_encode_rgb8(const uint8_t *pixels, size_t bytes_per_row, int32_t width, int32_t height,
                                 ldio_buffer *output, ldio_report *report) {
    ldio_report_reset(report);
    if (output == NULL) {
        ldio_copy_message(report->message, "no output buffer given");
        return LDIO_INVALID_ARGUMENT;
    }
    memset(output, 0, sizeof(*output));
    if (pixels == NULL || width <= 0 || height <= 0 || bytes_per_row < (size_t)width * 3) {
        snprintf(report->message, LDIO_MESSAGE_CAPACITY, "cannot encode a %dx%d image as PNG", width, height);
        return LDIO_INVALID_ARGUMENT;
    }
    png_session session;
    memset(&session, 0, sizeof(session));
    session.report = report;
    session.sink = output;
    session.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &session, on_png_error, on_png_warning);
    if (session.png == NULL) {
        ldio_copy_message(report->message, "libpng could not create a write struct");
        return LDIO_OUT_OF_MEMORY;
    }
    session.info = png_create_info_struct(session.png);
    if (session.info == NULL) {
        png_destroy_write_struct(&session.png, NULL);
        ldio_copy_message(report->message, "libpng could not create an info struct");
        return LDIO_OUT_OF_MEMORY;
    }
    ldio_status status = encode_guarded(&session, pixels, bytes_per_row, width, height);
    if (status != LDIO_OK) ldio_buffer_free(output);
    return status;
}
