#include "jpeg_encoder.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct returning_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_size;
};

static void return_on_error(j_common_ptr info) {
    struct returning_error_manager *manager = (struct returning_error_manager *)info->err;
    char buffer[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, buffer);
    if (manager->message && manager->message_size > 0) {
        snprintf(manager->message, manager->message_size, "%s", buffer);
    }
    longjmp(manager->jump, 1);
}

int sd_jpeg_encode(const unsigned char *samples, int width, int height, int channels, int quality,
                   unsigned char **output, unsigned long *outputSize, char *message, size_t messageSize) {
    struct jpeg_compress_struct info;
    struct returning_error_manager manager;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    *output = NULL;
    *outputSize = 0;
    if (channels != 1 && channels != 3) {
        snprintf(message, messageSize, "%d channels (JPEG frames are grey or RGB)", channels);
        return -1;
    }
    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = return_on_error;
    manager.message = message;
    manager.message_size = messageSize;
    if (setjmp(manager.jump)) {
        jpeg_destroy_compress(&info);
        free(buffer);
        return -1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, (unsigned char **)&buffer, &size);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = channels;
    info.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(samples + (size_t)info.next_scanline * stride);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *output = buffer;
    *outputSize = size;
    return 0;
}

void sd_jpeg_free(unsigned char *buffer) { free(buffer); }
