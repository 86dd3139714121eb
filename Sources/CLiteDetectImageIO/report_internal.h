#ifndef CLITEDETECT_IMAGEIO_REPORT_INTERNAL_H
#define CLITEDETECT_IMAGEIO_REPORT_INTERNAL_H

/* Helpers shared by the JPEG and PNG halves of the shim (not part of the public header). */

#include "CLiteDetectImageIO.h"

/// Clears every field, so a report never carries text from an earlier call.
void ldio_report_reset(ldio_report *report);

/// Copies `text` into `destination` (LDIO_MESSAGE_CAPACITY bytes), truncating, NUL-terminated.
void ldio_copy_message(char *destination, const char *text);

/// Records one warning: counts it and keeps the text of the first one.
void ldio_report_warning(ldio_report *report, const char *text);

/// The start of every decode call: resets `report`, then checks the arguments every decoder
/// takes (data, a pixel buffer of `height` rows of at least `width` RGB pixels). Returns 0 with
/// "invalid <format> decode arguments" in the report when they are unusable.
int ldio_begin_decode(const uint8_t *data, size_t size, const uint8_t *pixels, size_t bytes_per_row, int32_t width,
                      int32_t height, const char *format, ldio_report *report);

/// Appends `count` bytes to `buffer`, growing it geometrically. Returns 0 on allocation failure.
int ldio_buffer_append(ldio_buffer *buffer, const uint8_t *bytes, size_t count);

#endif
