#ifndef SEMANTIC_DRAW_JPEG_ENCODER_H
#define SEMANTIC_DRAW_JPEG_ENCODER_H

#include <stddef.h>

/// Encodes `width` x `height` interleaved 8-bit samples (`channels` 1 or 3) as a baseline JPEG
/// of `quality` (1...100) with libjpeg(-turbo). On success returns 0 and sets `*output` (free it
/// with `sd_jpeg_free`) and `*outputSize`; on failure returns -1 and writes libjpeg's message
/// into `message` (libjpeg's default error handler would exit the process; this one returns).
int sd_jpeg_encode(const unsigned char *samples, int width, int height, int channels, int quality,
                   unsigned char **output, unsigned long *outputSize, char *message, size_t messageSize);

/// Frees a buffer returned by `sd_jpeg_encode`.
void sd_jpeg_free(unsigned char *buffer);

#endif
