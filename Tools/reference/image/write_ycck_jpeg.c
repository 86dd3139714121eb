/*
 * Writes a YCCK JPEG (Adobe APP14 marker, transform 2), which neither Pillow nor the
 * libjpeg command-line tools can produce, so the decoder's YCCK path can be tested.
 *
 * Input: raw interleaved CMYK bytes in Adobe's inverted convention (255 = no ink), as
 * Photoshop stores them. Build and run (make_decode_fixtures.py does this):
 *     cc -O2 -o write_ycck_jpeg write_ycck_jpeg.c -ljpeg
 *     write_ycck_jpeg WIDTH HEIGHT QUALITY input.cmyk output.jpg
 */
#include <stdio.h>
#include <stdlib.h>

#include <jpeglib.h>

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s WIDTH HEIGHT QUALITY input.cmyk output.jpg\n", argv[0]);
        return 2;
    }
    int width = atoi(argv[1]), height = atoi(argv[2]), quality = atoi(argv[3]);
    size_t size = (size_t)width * height * 4;
    unsigned char *pixels = malloc(size);
    FILE *input = fopen(argv[4], "rb");
    if (!pixels || !input || fread(pixels, 1, size, input) != size) {
        fprintf(stderr, "cannot read %zu bytes from %s\n", size, argv[4]);
        return 1;
    }
    fclose(input);
    FILE *output = fopen(argv[5], "wb");
    if (!output) {
        fprintf(stderr, "cannot create %s\n", argv[5]);
        return 1;
    }
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr error;
    cinfo.err = jpeg_std_error(&error);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, output);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 4;
    cinfo.in_color_space = JCS_CMYK;
    jpeg_set_defaults(&cinfo);
    jpeg_set_colorspace(&cinfo, JCS_YCCK); /* also makes libjpeg write the Adobe marker */
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = pixels + (size_t)cinfo.next_scanline * width * 4;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    fclose(output);
    free(pixels);
    return 0;
}
