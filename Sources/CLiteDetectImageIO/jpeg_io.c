/*
 * JPEG half of the shim: header reading, decoding to RGB8 and encoding, all
 * through libjpeg(-turbo) with an error manager that longjmp()s back here
 * instead of calling exit().
 *
 * Every libjpeg call that can fail runs inside a *_guarded() function whose
 * state lives in a struct owned by the caller's frame: after a longjmp, only
 * values that setjmp() cannot clobber (parameters never reassigned, memory
 * behind pointers) are read.
 */

#include "report_internal.h"

#include <setjmp.h>
#include <stdio.h> /* jpeglib.h needs FILE and size_t */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

/// libjpeg error manager that records messages in an ldio_report and escapes via longjmp.
typedef struct {
    struct jpeg_error_mgr manager; /* first: libjpeg hands us `cinfo->err` */
    jmp_buf escape;
    ldio_report *report;
    int scan_limit_hit;
    /// libjpeg ran out of input ("Premature end of JPEG file") and faked an EOI marker.
    int saw_end_of_input;
    /// An entropy decoder stopped mid-scan ("premature end of data segment").
    int saw_scan_cut_short;
} jpeg_error_context;

static void on_jpeg_fatal_error(j_common_ptr cinfo) {
    jpeg_error_context *context = (jpeg_error_context *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    ldio_copy_message(context->report->message, text);
    longjmp(context->escape, 1);
}

/// Level < 0 is a warning (usually corrupt data); levels >= 0 are trace output we ignore.
static void on_jpeg_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    jpeg_error_context *context = (jpeg_error_context *)cinfo->err;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) context->saw_end_of_input = 1;
    if (cinfo->err->msg_code == JWRN_HIT_MARKER) context->saw_scan_cut_short = 1;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    ldio_report_warning(context->report, text);
    cinfo->err->num_warnings += 1;
}

/// libjpeg's default output_message prints to stderr; a library must stay silent.
static void on_jpeg_output(j_common_ptr cinfo) { (void)cinfo; }

/// Stops progressive files with absurd scan counts, which are valid but make the
/// decoder redo a full-image pass per scan (a known denial-of-service pattern).
static void on_jpeg_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr decompress = (j_decompress_ptr)cinfo;
    if (decompress->input_scan_number <= LDIO_JPEG_MAX_SCANS) return;
    jpeg_error_context *context = (jpeg_error_context *)cinfo->err;
    context->scan_limit_hit = 1;
    snprintf(context->report->message, LDIO_MESSAGE_CAPACITY,
             "JPEG has more than %d progressive scans; refusing to decode it", LDIO_JPEG_MAX_SCANS);
    longjmp(context->escape, 1);
}

static void install_error_context(jpeg_error_context *context, ldio_report *report) {
    jpeg_std_error(&context->manager);
    context->manager.error_exit = on_jpeg_fatal_error;
    context->manager.emit_message = on_jpeg_message;
    context->manager.output_message = on_jpeg_output;
    context->report = report;
    context->scan_limit_hit = 0;
    context->saw_end_of_input = 0;
    context->saw_scan_cut_short = 0;
}

/// Pixels are missing only when the input ran out *and* a scan was cut short: a file
/// that merely lacks its final EOI marker also runs out of input, but after the
/// last scan is complete, so its pixels are intact (and it only gets a warning).
static int image_data_was_cut(const jpeg_error_context *context) {
    return context->saw_end_of_input && context->saw_scan_cut_short;
}

/// Maps the libjpeg message code of a fatal error to a status.
static ldio_status status_after_jpeg_error(const jpeg_error_context *context) {
    if (context->scan_limit_hit) return LDIO_CORRUPT;
    switch (context->manager.msg_code) {
    case JERR_OUT_OF_MEMORY:
        return LDIO_OUT_OF_MEMORY;
    case JERR_BAD_PRECISION:
    case JERR_CONVERSION_NOTIMPL:
    case JERR_NOT_COMPILED:
    case JERR_ARITH_NOTIMPL:
    case JERR_SOF_UNSUPPORTED: /* valid JPEG processes libjpeg lacks: hierarchical, (old) lossless */
        return LDIO_UNSUPPORTED;
    default:
        /* An error after the source ran dry (e.g. a header cut short) is truncation. */
        return context->saw_end_of_input ? LDIO_TRUNCATED : LDIO_CORRUPT;
    }
}

/// Everything one decode touches, owned by the public function's frame.
typedef struct {
    struct jpeg_decompress_struct cinfo;
    jpeg_error_context error;
    struct jpeg_progress_mgr progress;
} jpeg_decoder;

static void prepare_decoder(jpeg_decoder *decoder, ldio_report *report) {
    memset(&decoder->cinfo, 0, sizeof(decoder->cinfo));
    install_error_context(&decoder->error, report);
    decoder->cinfo.err = &decoder->error.manager;
    memset(&decoder->progress, 0, sizeof(decoder->progress));
    decoder->progress.progress_monitor = on_jpeg_progress;
}

/// Creates the decompressor over the memory buffer and reads the header.
/// Must be called inside a setjmp-guarded function.
static void open_decoder(jpeg_decoder *decoder, const uint8_t *data, size_t size) {
    jpeg_create_decompress(&decoder->cinfo);
    decoder->cinfo.progress = &decoder->progress;
    jpeg_mem_src(&decoder->cinfo, data, (unsigned long)size);
    jpeg_read_header(&decoder->cinfo, TRUE);
}

static int is_cmyk_family(J_COLOR_SPACE space) { return space == JCS_CMYK || space == JCS_YCCK; }

static ldio_status read_header_guarded(jpeg_decoder *decoder, const uint8_t *data, size_t size, ldio_image_info *info) {
    if (setjmp(decoder->error.escape)) {
        ldio_status status = status_after_jpeg_error(&decoder->error);
        jpeg_destroy_decompress(&decoder->cinfo);
        return status;
    }
    open_decoder(decoder, data, size);
    info->width = (int32_t)decoder->cinfo.image_width;
    info->height = (int32_t)decoder->cinfo.image_height;
    info->stored_channels = decoder->cinfo.num_components;
    info->bit_depth = decoder->cinfo.data_precision;
    info->is_progressive = decoder->cinfo.progressive_mode ? 1 : 0;
    info->has_palette = 0;
    jpeg_destroy_decompress(&decoder->cinfo);
    return LDIO_OK;
}

ldio_status ldio_jpeg_read_header(const uint8_t *data, size_t size, ldio_image_info *info, ldio_report *report) {
    ldio_report_reset(report);
    if (data == NULL || size == 0 || info == NULL) {
        ldio_copy_message(report->message, "no JPEG data given");
        return LDIO_INVALID_ARGUMENT;
    }
    memset(info, 0, sizeof(*info));
    jpeg_decoder decoder;
    prepare_decoder(&decoder, report);
    return read_header_guarded(&decoder, data, size, info);
}

/// Pillow's rounding of a*b/255 (MULDIV255 in libImaging), so CMYK converts bit-identically.
static inline uint8_t multiply_divide_255(unsigned a, unsigned b) {
    unsigned t = a * b + 128;
    return (uint8_t)(((t >> 8) + t) >> 8);
}

/// One row of Adobe (inverted) CMYK to RGB: ink = 255 - stored, then
/// channel = (255-K) - ink*(255-K)/255, i.e. (255-ink)(255-K)/255.
static void convert_inverted_cmyk_row(const JSAMPLE *cmyk, uint8_t *rgb, JDIMENSION width) {
    for (JDIMENSION x = 0; x < width; x++) {
        const JSAMPLE *pixel = cmyk + 4 * (size_t)x;
        unsigned paper_after_black = pixel[3]; /* 255 - K, since stored = 255 - K */
        for (int channel = 0; channel < 3; channel++) {
            unsigned ink = 255u - pixel[channel];
            rgb[3 * (size_t)x + channel] = (uint8_t)(paper_after_black - multiply_divide_255(ink, paper_after_black));
        }
    }
}

static ldio_status decode_guarded(jpeg_decoder *decoder, const uint8_t *data, size_t size, uint8_t *pixels,
                                  size_t bytes_per_row, int32_t width, int32_t height, ldio_report *report) {
    if (setjmp(decoder->error.escape)) {
        ldio_status status = status_after_jpeg_error(&decoder->error);
        jpeg_destroy_decompress(&decoder->cinfo);
        return status;
    }
    open_decoder(decoder, data, size);
    struct jpeg_decompress_struct *cinfo = &decoder->cinfo;
    if ((int32_t)cinfo->image_width != width || (int32_t)cinfo->image_height != height) {
        snprintf(report->message, LDIO_MESSAGE_CAPACITY, "JPEG is %ux%u but the buffer was sized for %dx%d",
                 (unsigned)cinfo->image_width, (unsigned)cinfo->image_height, width, height);
        jpeg_destroy_decompress(cinfo);
        return LDIO_INVALID_ARGUMENT;
    }
    /* libjpeg-turbo converts gray, YCbCr and RGB to RGB itself; CMYK/YCCK come out
       as (inverted) CMYK, which we convert below. Defaults stay as Pillow leaves
       them (JDCT_ISLOW, fancy upsampling), so pixels match Pillow's decoding. */
    int cmyk = is_cmyk_family(cinfo->jpeg_color_space);
    cinfo->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(cinfo);

    JSAMPARRAY cmyk_row = NULL;
    if (cmyk) {
        /* Pool memory: freed by jpeg_destroy_decompress on every path, longjmp included. */
        cmyk_row = (*cinfo->mem->alloc_sarray)((j_common_ptr)cinfo, JPOOL_IMAGE, cinfo->output_width * 4, 1);
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        uint8_t *row = pixels + (size_t)cinfo->output_scanline * bytes_per_row;
        JSAMPROW target[1] = {cmyk ? cmyk_row[0] : row};
        if (jpeg_read_scanlines(cinfo, target, 1) != 1) {
            ldio_copy_message(report->message, "libjpeg returned no scanline");
            jpeg_destroy_decompress(cinfo);
            return LDIO_CORRUPT;
        }
        if (cmyk) convert_inverted_cmyk_row(cmyk_row[0], row, cinfo->output_width);
    }
    jpeg_finish_decompress(cinfo);
    jpeg_destroy_decompress(cinfo);
    report->data_truncated = image_data_was_cut(&decoder->error);
    return LDIO_OK;
}

ldio_status ldio_jpeg_decode_rgb8(const uint8_t *data, size_t size, uint8_t *pixels, size_t bytes_per_row,
                                  int32_t width, int32_t height, ldio_report *report) {
    if (!ldio_begin_decode(data, size, pixels, bytes_per_row, width, height, "JPEG", report))
        return LDIO_INVALID_ARGUMENT;
    jpeg_decoder decoder;
    prepare_decoder(&decoder, report);
    return decode_guarded(&decoder, data, size, pixels, bytes_per_row, width, height, report);
}

/// Everything one encode touches, owned by the public function's frame.
typedef struct {
    struct jpeg_compress_struct cinfo;
    jpeg_error_context error;
    unsigned char *encoded; /* malloc'd and grown by jpeg_mem_dest */
    unsigned long encoded_size;
} jpeg_encoder;

static ldio_status encode_guarded(jpeg_encoder *encoder, const uint8_t *pixels, size_t bytes_per_row, int32_t width,
                                  int32_t height, int32_t quality) {
    if (setjmp(encoder->error.escape)) {
        ldio_status status = status_after_jpeg_error(&encoder->error);
        jpeg_destroy_compress(&encoder->cinfo);
        return status;
    }
    struct jpeg_compress_struct *cinfo = &encoder->cinfo;
    jpeg_create_compress(cinfo);
    jpeg_mem_dest(cinfo, &encoder->encoded, &encoder->encoded_size);
    cinfo->image_width = (JDIMENSION)width;
    cinfo->image_height = (JDIMENSION)height;
    cinfo->input_components = 3;
    cinfo->in_color_space = JCS_RGB;
    jpeg_set_defaults(cinfo);
    jpeg_set_quality(cinfo, quality, TRUE);
    jpeg_start_compress(cinfo, TRUE);
    while (cinfo->next_scanline < cinfo->image_height) {
        /* libjpeg's API is not const-correct; it only reads the rows. */
        JSAMPROW row[1] = {(JSAMPROW)(pixels + (size_t)cinfo->next_scanline * bytes_per_row)};
        jpeg_write_scanlines(cinfo, row, 1);
    }
    jpeg_finish_compress(cinfo);
    jpeg_destroy_compress(cinfo);
    return LDIO_OK;
}

ldio_status ldio_jpeg_encode_rgb8(const uint8_t *pixels, size_t bytes_per_row, int32_t width, int32_t height,
                                  int32_t quality, ldio_buffer *output, ldio_report *report) {
    ldio_report_reset(report);
    if (output == NULL) {
        ldio_copy_message(report->message, "no output buffer given");
        return LDIO_INVALID_ARGUMENT;
    }
    memset(output, 0, sizeof(*output));
    if (pixels == NULL || width <= 0 || height <= 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION ||
        bytes_per_row < (size_t)width * 3) {
        snprintf(report->message, LDIO_MESSAGE_CAPACITY,
                 "cannot encode a %dx%d image as JPEG (each side must be 1...%d)", width, height,
                 (int)JPEG_MAX_DIMENSION);
        return LDIO_INVALID_ARGUMENT;
    }
    if (quality < 1 || quality > 100) {
        snprintf(report->message, LDIO_MESSAGE_CAPACITY, "JPEG quality must be 1...100, got %d", quality);
        return LDIO_INVALID_ARGUMENT;
    }
    jpeg_encoder encoder;
    memset(&encoder.cinfo, 0, sizeof(encoder.cinfo));
    install_error_context(&encoder.error, report);
    encoder.cinfo.err = &encoder.error.manager;
    encoder.encoded = NULL;
    encoder.encoded_size = 0;
    ldio_status status = encode_guarded(&encoder, pixels, bytes_per_row, width, height, quality);
    if (status != LDIO_OK) {
        free(encoder.encoded);
        return status;
    }
    output->data = encoder.encoded; /* malloc'd by libjpeg-turbo's memory destination */
    output->size = encoder.encoded_size;
    output->capacity = encoder.encoded_size;
    return LDIO_OK;
}
