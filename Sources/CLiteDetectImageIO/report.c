#include "report_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ldio_report_reset(ldio_report *report) { memset(report, 0, sizeof(*report)); }

void ldio_copy_message(char *destination, const char *text) {
    if (text == NULL) text = "(no message)";
    size_t length = strlen(text);
    if (length >= LDIO_MESSAGE_CAPACITY) length = LDIO_MESSAGE_CAPACITY - 1;
    memcpy(destination, text, length);
    destination[length] = '\0';
}

int ldio_begin_decode(const uint8_t *data, size_t size, const uint8_t *pixels, size_t bytes_per_row, int32_t width,
                      int32_t height, const char *format, ldio_report *report) {
    ldio_report_reset(report);
    if (data != NULL && size > 0 && pixels != NULL && width > 0 && height > 0 && bytes_per_row >= (size_t)width * 3)
        return 1;
    char message[LDIO_MESSAGE_CAPACITY];
    snprintf(message, sizeof message, "invalid %s decode arguments", format);
    ldio_copy_message(report->message, message);
    return 0;
}

void ldio_report_warning(ldio_report *report, const char *text) {
    if (report->warning_count == 0) ldio_copy_message(report->first_warning, text);
    report->warning_count += 1;
}

void ldio_buffer_free(ldio_buffer *buffer) {
    if (buffer == NULL) return;
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}

int ldio_buffer_append(ldio_buffer *buffer, const uint8_t *bytes, size_t count) {
    if (count > SIZE_MAX - buffer->size) return 0;
    size_t needed = buffer->size + count;
    if (needed > buffer->capacity) {
        size_t capacity = buffer->capacity < 4096 ? 4096 : buffer->capacity;
        while (capacity < needed) {
            if (capacity > SIZE_MAX / 2) {
                capacity = needed;
                break;
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(buffer->data, capacity);
        if (grown == NULL) return 0;
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, bytes, count);
    buffer->size = needed;
    return 1;
}
